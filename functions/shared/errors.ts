import type { z } from 'zod';

/** One problem with a request, naming the field (`body.email`, `query.date`, `path.hubId`). */
export interface Issue {
  path: string;
  message: string;
}

/** An error that becomes the contract's JSON error response. */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 410 | 415,
    readonly code: string,
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** 400: the request is malformed or a field is invalid. */
export const badRequest = (message: string, issues: Issue[] = []) => new ApiError(400, 'validation_failed', message, issues);
/** 401: no valid bearer token. */
export const unauthorized = (message = 'A valid bearer token is required') => new ApiError(401, 'unauthorized', message);
/** 403: authenticated, but not allowed here. */
export const forbidden = (message: string) => new ApiError(403, 'forbidden', message);
/** 404: the thing named does not exist (here). */
export const notFound = (message: string, issues: Issue[] = []) => new ApiError(404, 'not_found', message, issues);
/** 410: the thing named existed but is no longer usable (an expired or used link). */
export const gone = (message: string, issues: Issue[] = []) => new ApiError(410, 'gone', message, issues);
/** 409: the request conflicts with the current state. */
export const conflict = (message: string, issues: Issue[] = []) => new ApiError(409, 'conflict', message, issues);

function joinPath(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}.${String(key)}`), prefix);
}

/** Turns a zod error into a 400 whose issues name each field under `prefix` (body, query, path). */
export function fromZod(prefix: 'body' | 'query' | 'path', error: z.ZodError): ApiError {
  const issues = error.issues.map((i) => ({ path: joinPath(prefix, i.path), message: i.message }));
  const fields = [...new Set(issues.map((i) => i.path))].join(', ');
  return badRequest(`Invalid request: ${fields}`, issues);
}

/** Parses input with a zod schema, or throws a 400 naming the fields. */
export function parseOr400<T extends z.ZodType>(schema: T, prefix: 'body' | 'query' | 'path', input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw fromZod(prefix, result.error);
  return result.data;
}
