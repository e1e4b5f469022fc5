/**
 * Whether a request path is the API's (`/api` and below), as Express routes it: whatever the
 * letters' case (`/API/v1/me` reaches the same handler as `/api/v1/me`). Every decision that
 * tells the API from the dashboard (no-store, the request log's route-only path, the dashboard's
 * index.html fallback) asks here, so none can be passed by spelling the prefix in capitals.
 */
export function isApiPath(path: string): boolean {
  return /^\/api(\/|$)/i.test(path);
}
