// The one way the app talks to Switchboard's API: same-origin fetches with the Easy Auth
// session cookie, JSON both ways, and the API's `{"error": {code, message, field}}`
// answers raised as ApiError. Browsers add Origin and Sec-Fetch-Site to these calls, which
// is what the API's cross-site check (functions/identity.py) lets through.

import { signIn } from "./session";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly providerCode?: string,
  ) {
    super(message);
  }
}

export type Query = Record<string, string | number | undefined | null>;

/** `path?name=value&...`, leaving out undefined and null; an empty string is sent (the
 *  queue views read `queue=` as "no queue"). */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.set(name, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

async function errorOf(response: Response): Promise<ApiError> {
  try {
    const { error } = await response.json();
    return new ApiError(response.status, error.code, error.message, error.field, error.provider_code);
  } catch {
    return new ApiError(response.status, "unreadable_answer", `the API answered ${response.status}`);
  }
}

export async function request<T>(method: string, path: string, body?: unknown,
  headers: Record<string, string> = {}, signal?: AbortSignal): Promise<T> {
  const init: RequestInit = { method, credentials: "same-origin", cache: "no-store", headers: { ...headers }, signal };
  if (body !== undefined) {
    init.headers = { ...headers, "Content-Type": "application/json" };
    init.body = JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(`/api${path}`, init);
  } catch {
    throw new ApiError(0, "offline", "Switchboard could not be reached; check the connection and try again.");
  }
  if (response.status === 401) {
    signIn();
    throw await errorOf(response);
  }
  if (!response.ok) throw await errorOf(response);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

export const api = {
  /** `signal`: a call the caller may give up on (the change feed's long poll). */
  get: <T>(path: string, query?: Query, signal?: AbortSignal) =>
    request<T>("GET", withQuery(path, query), undefined, {}, signal),
  post: <T>(path: string, body?: unknown, headers?: Record<string, string>) => request<T>("POST", path, body, headers),
  put: <T>(path: string, body: unknown) => request<T>("PUT", path, body),
  patch: <T>(path: string, body: unknown) => request<T>("PATCH", path, body),
  delete: (path: string) => request<void>("DELETE", path),
};

export function problem(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, "client_error", String(error));
}
