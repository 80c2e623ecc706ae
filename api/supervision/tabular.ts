import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import { PassThrough, type Readable } from 'node:stream';

/**
 * A table to hand to supervisors as CSV or XLSX: columns with Chinese headers, rows produced
 * lazily (an export of a whole year streams instead of sitting in memory).
 */
export interface Column<R> {
  readonly header: string;
  readonly width?: number;
  value(row: R): string | number | Date | null;
}

export interface Table<R> {
  /** The sheet's name in the workbook; also the start of the file name. */
  readonly title: string;
  readonly columns: readonly Column<R>[];
  readonly rows: AsyncIterable<R> | Iterable<R>;
}

export type TabularFormat = 'csv' | 'xlsx';

export const CONTENT_TYPES: Record<TabularFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

const cell = (v: string | number | Date | null) => (v instanceof Date ? v.toISOString() : (v ?? ''));

/** CSV with a byte-order mark: Excel, which many offices open CSV files with, then reads UTF-8 Chinese. */
function csvStream<R>(table: Table<R>): Readable {
  const csv = stringify({ bom: true, header: true, columns: table.columns.map((c) => c.header) });
  void (async () => {
    try {
      for await (const row of table.rows) {
        if (!csv.write(table.columns.map((c) => cell(c.value(row))))) await waitDrain(csv);
      }
      csv.end();
    } catch (err) {
      csv.destroy(err as Error);
    }
  })();
  return csv;
}

const waitDrain = (s: NodeJS.WritableStream) => new Promise<void>((resolve) => s.once('drain', resolve));

/** XLSX through ExcelJS's streaming writer: rows are committed as they come. */
function xlsxStream<R>(table: Table<R>): Readable {
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false });
  const sheet = workbook.addWorksheet(table.title.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = table.columns.map((c) => ({ header: c.header, width: c.width ?? 16 }));
  sheet.getRow(1).font = { bold: true };
  void (async () => {
    try {
      for await (const row of table.rows) {
        sheet.addRow(table.columns.map((c) => c.value(row) ?? null)).commit();
      }
      sheet.commit();
      await workbook.commit();
    } catch (err) {
      out.destroy(err as Error);
    }
  })();
  return out;
}

export function tableStream<R>(table: Table<R>, format: TabularFormat): Readable {
  return format === 'csv' ? csvStream(table) : xlsxStream(table);
}

/** `reports-2026-11-24.xlsx`: ASCII, so every browser and mail client keeps it. */
export const fileName = (base: string, format: TabularFormat, now = new Date()) =>
  `${base}-${now.toISOString().slice(0, 10)}.${format}`;
