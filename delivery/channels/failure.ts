/**
 * Why an attempt failed, and whether trying again can help: a receiver that is down or busy may
 * answer later (transient); one that refuses the message as it is (a 4xx other than 408/429, an
 * SMTP 5xx, a missing address) will refuse it every time, so it goes straight to the dead letters
 * for someone to fix and re-drive.
 */
export class DeliveryFailure extends Error {
  override readonly name = 'DeliveryFailure';
  constructor(
    readonly detail: string,
    readonly permanent: boolean,
  ) {
    super(detail);
  }
}

/** An HTTP answer as a failure, or nothing when it was a success. */
export function httpFailure(status: number, what: string): DeliveryFailure | undefined {
  if (status >= 200 && status < 300) return undefined;
  const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
  return new DeliveryFailure(`${what} answered ${status}`, permanent);
}

/** A network error (refused, reset, timed out) as a transient failure. */
export const networkFailure = (what: string, err: unknown): DeliveryFailure =>
  err instanceof DeliveryFailure
    ? err
    : new DeliveryFailure(`${what}: ${(err as Error).message ?? String(err)}`, false);

/**
 * POSTs JSON and reads the answer as a delivery: the status line on success, a {@link DeliveryFailure}
 * (transient or permanent, by status) otherwise. The body of the answer is not read.
 */
export async function postJson(
  what: string,
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
  } catch (err) {
    throw networkFailure(what, err);
  }
  const failure = httpFailure(res.status, what);
  if (failure) throw failure;
  return `HTTP ${res.status}`;
}
