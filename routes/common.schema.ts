// Schema pieces shared by several routes.
export const QUEUE_NAME = {
  type: 'string', minLength: 1, maxLength: 200,
  // Commas separate queue lists and '*' means "every event" in interests: neither may name a queue.
  // Nor may a name that is an Object.prototype key (it would vanish from, or pollute, a plain
  // object keyed by queue), or one starting with '#' (the Couchbase store's mark of a hashed long name).
  pattern: '^(?!#|(?:__proto__|constructor|prototype)$)[^,*\\u0000-\\u001f]+$',
} as const;

/** An http(s) URL a push may go to (the SSRF guard checks its address: src/security/push-targets.ts). */
export const PUSH_URL = { type: 'string', maxLength: 2000, pattern: '^https?://[^\\s]+$' } as const;

export const ID = { type: 'string', minLength: 1, maxLength: 100 } as const;
/** 0 answers only the total (a count-only query). */
export const LIMIT = { type: 'integer', minimum: 0, maximum: 1000 } as const;
export const OFFSET = { type: 'integer', minimum: 0, maximum: 100_000_000 } as const;
export const TEXT_FILTER = { type: 'string', minLength: 1, maxLength: 1000 } as const;
