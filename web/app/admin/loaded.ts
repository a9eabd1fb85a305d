// Reading one API resource for a page: the value, the refusal, and a way to replace it.

import { useEffect, useState } from "preact/hooks";
import { ApiError, api, problem } from "../api";

export function useLoaded<T>(path: string | null): [T | null, ApiError | null, (value: T) => void] {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    setValue(null);
    setError(null);
    if (path) api.get<T>(path).then(setValue, (caught) => setError(problem(caught)));
  }, [path]);
  return [value, error, setValue];
}
