// Schema pieces shared by several routes.
export const QUEUE_NAME = {
  type: 'string', minLength: 1, maxLength: 200,
  // Commas separate queue lists and '*' means "every event" in interests: neither may name a queue.
  pattern: '^[^,*\\u0000-\\u001f]+$',
} as const;

export const ID = { type: 'string', minLength: 1, maxLength: 100 } as const;
/** 0 answers only the total (a count-only query). */
export const LIMIT = { type: 'integer', minimum: 0, maximum: 1000 } as const;
export const OFFSET = { type: 'integer', minimum: 0, maximum: 100_000_000 } as const;
export const TEXT_FILTER = { type: 'string', minLength: 1, maxLength: 1000 } as const;
