import { useEffect, type DependencyList } from 'react';

/**
 * Loads when `deps` change and hands the answer (or the failure) on, unless the component has since
 * unmounted or `deps` changed again: an older, slower answer never overwrites a newer one. `load`
 * null: nothing to load (e.g. a role that may not read it). Without `onError` a failure is ignored.
 * The callers name in `deps` what `load` and the callbacks read, as for useEffect.
 */
export function useLoad<T>(
  load: (() => Promise<T>) | null,
  deps: DependencyList,
  onLoaded: (value: T) => void,
  onError?: (error: Error) => void,
): void {
  useEffect(() => {
    if (!load) return;
    let cancelled = false;
    load().then(
      (value) => {
        if (!cancelled) onLoaded(value);
      },
      (error: Error) => {
        if (!cancelled) onError?.(error);
      },
    );
    return () => {
      cancelled = true;
    };
  }, deps);
}
