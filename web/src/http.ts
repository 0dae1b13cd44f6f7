// One JSON GET against Torghut's read APIs, as every page uses it. Every failure — an HTTP error
// with the server's `{ok:false, message}`, a body that is not the expected JSON, or no answer at
// all — becomes an ApiError whose message names `what` was asked and what went wrong, so a page's
// banner can show it as it is. An abort by the caller's signal is rethrown unchanged.

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number, // 0 when there was no HTTP answer
    readonly disabled = false, // the server answered {ok:false, disabled:true}: the feature is off
  ) {
    super(message);
  }
}

export async function getJson<T>(path: string, what: string, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { signal, headers: { accept: 'application/json' } });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new ApiError(`${what}: the API did not answer (${(e as Error).message})`, 0);
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`${what}: HTTP ${res.status} with a body that is not JSON`, res.status);
  }
  const b = body as { ok?: boolean; message?: string; disabled?: boolean };
  if (!res.ok || b.ok !== true) {
    throw new ApiError(`${what}: ${b.message ?? `HTTP ${res.status}`}`, res.status, b.disabled === true);
  }
  return body as T;
}
