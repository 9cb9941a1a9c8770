// Generated from the OpenAPI document by `npm run client-types` (openapi-typescript); do not edit.
export interface paths {
    "/task": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Take the next task (or count tasks) in the worker's queue order; wait long-polls
         * @description Needs a work token (or admin).
         */
        get: operations["claim"];
        /**
         * Publish one event to every interested queue
         * @description Needs a publish token (or admin).
         */
        put: operations["publish"];
        /**
         * Report success, failure or progress of a started task
         * @description Needs a work token (or admin).
         */
        post: operations["report"];
        /**
         * Cancel the waiting copies of one task (taskId) or of an event (eventId)
         * @description Needs an admin token.
         */
        delete: operations["cancel"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/tasks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Publish up to 1,000 events, all or none
         * @description Needs a publish token (or admin).
         */
        put: operations["publishBatch"];
        /**
         * Report several tasks; each applies on its own
         * @description Needs a work token (or admin).
         */
        post: operations["reportBatch"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/worker": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Register a worker for queues in priority order
         * @description Needs a work token (or admin).
         */
        put: operations["registerWorker"];
        post?: never;
        /**
         * Remove one worker (workerId) or every worker of a queue
         * @description Needs a work token (or admin).
         */
        delete: operations["removeWorkers"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/interest": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Set a queue's interests (creates the queue: 201)
         * @description Needs an admin token.
         */
        put: operations["setInterests"];
        post?: never;
        /**
         * Remove a queue's interests
         * @description Needs an admin token.
         */
        delete: operations["removeInterests"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/interest/dry-run": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Which queues an event would reach, and why; stores nothing
         * @description Needs a publish token (or admin).
         */
        post: operations["dryRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/queue": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Remove a queue, its interests and its waiting tasks
         * @description Needs an admin token.
         */
        delete: operations["deleteQueue"];
        options?: never;
        head?: never;
        /**
         * Change a queue's policy (creates the queue: 201)
         * @description Needs an admin token.
         */
        patch: operations["setQueuePolicy"];
        trace?: never;
    };
    "/queue/tasks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A queue's tasks in one state, newest first
         * @description Needs a read token (or admin).
         */
        get: operations["listQueueTasks"];
        put?: never;
        post?: never;
        /**
         * Erase a queue's waiting tasks
         * @description Needs an admin token.
         */
        delete: operations["purgeQueue"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The overview, or one part of it (queue, queues, workerQueue, interests, workers, failedQueue, task)
         * @description Needs a read token (or admin).
         */
        get: operations["status"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/throughput": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Per-minute counts of the last minutes
         * @description Needs a read token (or admin).
         */
        get: operations["throughput"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/failed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Failed tasks, newest first, filtered
         * @description Needs a read token (or admin).
         */
        get: operations["listFailed"];
        put?: never;
        post?: never;
        /**
         * Delete failed tasks (by id, or all matching a filter)
         * @description Needs an admin token.
         */
        delete: operations["deleteFailed"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/failed/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Retry failed tasks (by id, or all matching a filter)
         * @description Needs an admin token.
         */
        post: operations["retryFailed"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/schedule": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every schedule, or one by name
         * @description Needs a read token (or admin).
         */
        get: operations["listSchedules"];
        /**
         * Create (201) or replace a schedule
         * @description Needs an admin token.
         */
        put: operations["putSchedule"];
        post?: never;
        /**
         * Remove a schedule
         * @description Needs an admin token.
         */
        delete: operations["deleteSchedule"];
        options?: never;
        head?: never;
        /**
         * Pause or resume a schedule
         * @description Needs an admin token.
         */
        patch: operations["pauseSchedule"];
        trace?: never;
    };
    "/token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every token, never a secret
         * @description Needs an admin token.
         */
        get: operations["listTokens"];
        /**
         * Make a token; its secret is answered this once
         * @description Needs an admin token.
         */
        put: operations["createToken"];
        post?: never;
        /**
         * Revoke a token
         * @description Needs an admin token.
         */
        delete: operations["deleteToken"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/whoami": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Whether the broker needs a token, and what the one sent may do
         * @description Open: needs no token.
         */
        get: operations["whoami"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The trail of admin changes, newest first
         * @description Needs an admin token.
         */
        get: operations["listAudit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * 200 once the store answers, 503 otherwise
         * @description Open: needs no token.
         */
        get: operations["health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus text
         * @description Needs a read token (or admin).
         */
        get: operations["metrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * This document
         * @description Open: needs no token.
         */
        get: operations["openapi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Error: {
            error: string;
            /** @enum {unknown} */
            code: "invalid_json" | "push_url_forbidden" | "unauthorized" | "forbidden" | "invalid_input" | "pattern_invalid" | "unsupported_media_type" | "routing_too_costly" | "fan_out_too_large" | "body_too_large" | "route_not_found" | "task_not_found" | "event_not_found" | "worker_not_found" | "queue_not_found" | "schedule_not_found" | "token_not_found" | "token_exists" | "task_not_owned" | "task_finished" | "task_not_waiting" | "idempotency_conflict" | "limit_reached" | "rate_limited" | "store_unavailable" | "internal_error";
            details: unknown[];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    claim: {
        parameters: {
            query: {
                workerId: string;
                wait?: number;
                count?: number;
                queues?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        task: {
                            taskId: string;
                            eventId: string;
                            queue: string;
                            publisher: string;
                            data: Record<string, unknown>;
                            priority: number;
                            attempts: number;
                            runAt: number;
                            createdAt: number;
                            leaseExpiresAt: number | null;
                        } | null;
                    } | {
                        tasks: {
                            taskId: string;
                            eventId: string;
                            queue: string;
                            publisher: string;
                            data: Record<string, unknown>;
                            priority: number;
                            attempts: number;
                            runAt: number;
                            createdAt: number;
                            leaseExpiresAt: number | null;
                        }[];
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    publish: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    publisher: string;
                    data: Record<string, unknown>;
                    runAt?: number | null;
                    delay?: number;
                    /** @enum {unknown} */
                    scope?: "any" | "all";
                    singularlyEnqueue?: boolean;
                    singularlyRun?: boolean;
                    uniqueKey?: string;
                    priority?: number;
                    maxAttempts?: number;
                    idempotencyKey?: string;
                    fastPost?: boolean;
                };
                "application/x-www-form-urlencoded": {
                    publisher: string;
                    data: Record<string, unknown>;
                    runAt?: number | null;
                    delay?: number;
                    /** @enum {unknown} */
                    scope?: "any" | "all";
                    singularlyEnqueue?: boolean;
                    singularlyRun?: boolean;
                    uniqueKey?: string;
                    priority?: number;
                    maxAttempts?: number;
                    idempotencyKey?: string;
                    fastPost?: boolean;
                };
            };
        };
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        eventId: string;
                        /** @enum {unknown} */
                        status: "enqueued" | "scheduled" | "discarded";
                        tasks: {
                            taskId: string;
                            queue: string;
                        }[];
                        deduplicated?: string[];
                        replayed?: boolean;
                    } | {
                        /** @constant */
                        status: "accepted";
                        events?: number;
                    };
                };
            };
            /** @description 201 */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        eventId: string;
                        /** @enum {unknown} */
                        status: "enqueued" | "scheduled" | "discarded";
                        tasks: {
                            taskId: string;
                            queue: string;
                        }[];
                        deduplicated?: string[];
                        replayed?: boolean;
                    } | {
                        /** @constant */
                        status: "accepted";
                        events?: number;
                    };
                };
            };
            /** @description 202 */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        eventId: string;
                        /** @enum {unknown} */
                        status: "enqueued" | "scheduled" | "discarded";
                        tasks: {
                            taskId: string;
                            queue: string;
                        }[];
                        deduplicated?: string[];
                        replayed?: boolean;
                    } | {
                        /** @constant */
                        status: "accepted";
                        events?: number;
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    report: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    workerId: string;
                    taskId: string;
                    /** @enum {unknown} */
                    state: "success" | "fail" | "progress";
                    failReason?: string;
                    reEnqueue?: boolean;
                    result?: unknown;
                };
                "application/x-www-form-urlencoded": {
                    workerId: string;
                    taskId: string;
                    /** @enum {unknown} */
                    state: "success" | "fail" | "progress";
                    failReason?: string;
                    reEnqueue?: boolean;
                    result?: unknown;
                };
            };
        };
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        taskId: string;
                        /** @enum {unknown} */
                        state: "succeeded" | "failed" | "scheduled" | "ready" | "started" | "cancelled";
                        retryAt?: number;
                        reEnqueuedTaskId?: string;
                        leaseExpiresAt?: number;
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    cancel: {
        parameters: {
            query?: {
                taskId?: string;
                eventId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        cancelled: number;
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    publishBatch: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    events: {
                        publisher: string;
                        data: Record<string, unknown>;
                        runAt?: number | null;
                        delay?: number;
                        /** @enum {unknown} */
                        scope?: "any" | "all";
                        singularlyEnqueue?: boolean;
                        singularlyRun?: boolean;
                        uniqueKey?: string;
                        priority?: number;
                        maxAttempts?: number;
                        idempotencyKey?: string;
                    }[];
                    fastPost?: boolean;
                };
                "application/x-www-form-urlencoded": {
                    events: {
                        publisher: string;
                        data: Record<string, unknown>;
                        runAt?: number | null;
                        delay?: number;
                        /** @enum {unknown} */
                        scope?: "any" | "all";
                        singularlyEnqueue?: boolean;
                        singularlyRun?: boolean;
                        uniqueKey?: string;
                        priority?: number;
                        maxAttempts?: number;
                        idempotencyKey?: string;
                    }[];
                    fastPost?: boolean;
                };
            };
        };
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        events: {
                            eventId: string;
                            /** @enum {unknown} */
                            status: "enqueued" | "scheduled" | "discarded";
                            tasks: {
                                taskId: string;
                                queue: string;
                            }[];
                            deduplicated?: string[];
                            replayed?: boolean;
                        }[];
                    } | {
                        /** @constant */
                        status: "accepted";
                        events?: number;
                    };
                };
            };
            /** @description 201 */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        events: {
                            eventId: string;
                            /** @enum {unknown} */
                            status: "enqueued" | "scheduled" | "discarded";
                            tasks: {
                                taskId: string;
                                queue: string;
                            }[];
                            deduplicated?: string[];
                            replayed?: boolean;
                        }[];
                    } | {
                        /** @constant */
                        status: "accepted";
                        events?: number;
                    };
                };
            };
            /** @description 202 */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        events: {
                            eventId: string;
                            /** @enum {unknown} */
                            status: "enqueued" | "scheduled" | "discarded";
                            tasks: {
                                taskId: string;
                                queue: string;
                            }[];
                            deduplicated?: string[];
                            replayed?: boolean;
                        }[];
                    } | {
                        /** @constant */
                        status: "accepted";
                        events?: number;
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    reportBatch: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    workerId: string;
                    reports: {
                        taskId: string;
                        /** @enum {unknown} */
                        state: "success" | "fail" | "progress";
                        failReason?: string;
                        reEnqueue?: boolean;
                        result?: unknown;
                    }[];
                };
                "application/x-www-form-urlencoded": {
                    workerId: string;
                    reports: {
                        taskId: string;
                        /** @enum {unknown} */
                        state: "success" | "fail" | "progress";
                        failReason?: string;
                        reEnqueue?: boolean;
                        result?: unknown;
                    }[];
                };
            };
        };
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        results: ({
                            taskId: string;
                            /** @enum {unknown} */
                            state: "succeeded" | "failed" | "scheduled" | "ready" | "started" | "cancelled";
                            retryAt?: number;
                            reEnqueuedTaskId?: string;
                            leaseExpiresAt?: number;
                            /** @constant */
                            ok: true;
                        } | {
                            /** @constant */
                            ok: false;
                            taskId?: string;
                            code: string;
                            error: string;
                        })[];
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    registerWorker: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    queues: string | string[];
                    name?: string;
                };
                "application/x-www-form-urlencoded": {
                    queues: string | string[];
                    name?: string;
                };
            };
        };
        responses: {
            /** @description 201 */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        workerId: string;
                        name: string;
                        queues: string[];
                        registeredAt: number;
                        lastSeenAt: number;
                        tasksDone: number;
                        tasks: string[];
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    removeWorkers: {
        parameters: {
            query?: {
                workerId?: string;
                queue?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        workers: number;
                        tasksReturned: number;
                        tasksCancelled: number;
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    setInterests: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    queue: string;
                    interests: "*" | {
                        [key: string]: string;
                    };
                };
                "application/x-www-form-urlencoded": {
                    queue: string;
                    interests: "*" | {
                        [key: string]: string;
                    };
                };
            };
        };
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        queue: string;
                        interests: "*" | {
                            [key: string]: string;
                        } | null;
                        revision: number;
                    };
                };
            };
            /** @description 201 */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        queue: string;
                        interests: "*" | {
                            [key: string]: string;
                        } | null;
                        revision: number;
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    removeInterests: {
        parameters: {
            query: {
                queue: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        queue: string;
                        interests: null;
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    dryRun: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    publisher?: string;
                    data: Record<string, unknown>;
                    runAt?: number | null;
                    delay?: number;
                    /** @enum {unknown} */
                    scope?: "any" | "all";
                    singularlyEnqueue?: boolean;
                    singularlyRun?: boolean;
                    uniqueKey?: string;
                    priority?: number;
                    maxAttempts?: number;
                    idempotencyKey?: string;
                    fastPost?: boolean;
                    interests?: "*" | {
                        [key: string]: string;
                    };
                    queue?: string;
                };
                "application/x-www-form-urlencoded": {
                    publisher?: string;
                    data: Record<string, unknown>;
                    runAt?: number | null;
                    delay?: number;
                    /** @enum {unknown} */
                    scope?: "any" | "all";
                    singularlyEnqueue?: boolean;
                    singularlyRun?: boolean;
                    uniqueKey?: string;
                    priority?: number;
                    maxAttempts?: number;
                    idempotencyKey?: string;
                    fastPost?: boolean;
                    interests?: "*" | {
                        [key: string]: string;
                    };
                    queue?: string;
                };
            };
        };
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        revision: number;
                        status: string;
                        copies: number;
                        queues: {
                            queue: string;
                            matched: boolean;
                        }[];
                    } | {
                        valid: boolean;
                        problems: unknown[];
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteQueue: {
        parameters: {
            query: {
                queue: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        queue: string;
                        deleted: boolean;
                        waitingTasksDeleted: number;
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    setQueuePolicy: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    queue: string;
                    paused?: boolean;
                    maxAttempts?: number;
                    backoffSeconds?: number;
                    maxBackoffSeconds?: number;
                    leaseSeconds?: number | null;
                    rateLimit?: number | null;
                    concurrency?: number | null;
                    pushUrl?: string | null;
                    pushTimeoutSeconds?: number;
                    pushSecret?: string | null;
                };
                "application/x-www-form-urlencoded": {
                    queue: string;
                    paused?: boolean;
                    maxAttempts?: number;
                    backoffSeconds?: number;
                    maxBackoffSeconds?: number;
                    leaseSeconds?: number | null;
                    rateLimit?: number | null;
                    concurrency?: number | null;
                    pushUrl?: string | null;
                    pushTimeoutSeconds?: number;
                    pushSecret?: string | null;
                };
            };
        };
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        paused: boolean;
                        maxAttempts: number;
                        backoffSeconds: number;
                        maxBackoffSeconds: number;
                        leaseSeconds: number | null;
                        rateLimit: number | null;
                        concurrency: number | null;
                        pushUrl: string | null;
                        pushTimeoutSeconds: number;
                        hasPushSecret: boolean;
                        queue: string;
                    };
                };
            };
            /** @description 201 */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        paused: boolean;
                        maxAttempts: number;
                        backoffSeconds: number;
                        maxBackoffSeconds: number;
                        leaseSeconds: number | null;
                        rateLimit: number | null;
                        concurrency: number | null;
                        pushUrl: string | null;
                        pushTimeoutSeconds: number;
                        hasPushSecret: boolean;
                        queue: string;
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listQueueTasks: {
        parameters: {
            query: {
                queue: string;
                state: "scheduled" | "ready" | "started" | "succeeded" | "failed" | "cancelled";
                limit?: number;
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        total: number;
                        tasks: {
                            taskId: string;
                            eventId: string;
                            queue: string;
                            publisher: string;
                            data: Record<string, unknown>;
                            priority: number;
                            attempts: number;
                            runAt: number;
                            createdAt: number;
                            leaseExpiresAt: number | null;
                            /** @enum {unknown} */
                            state: "scheduled" | "ready" | "started" | "succeeded" | "failed" | "cancelled";
                            maxAttempts: number | null;
                            workerId: string | null;
                            targetWorkerId: string | null;
                            finishedAt: number | null;
                            uniqueKey: string | null;
                            singularlyRun: boolean;
                            failReason: string | null;
                            result: unknown;
                            route: {
                                revision: number;
                                interest: "*" | {
                                    field: string;
                                    keyPattern: string;
                                    valuePattern: string;
                                };
                            };
                            history: {
                                at: number;
                                what: string;
                            }[];
                        }[];
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    purgeQueue: {
        parameters: {
            query: {
                queue: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        queue: string;
                        purged: number;
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    status: {
        parameters: {
            query?: {
                queue?: string;
                queues?: string;
                workerQueue?: string;
                interests?: string;
                workers?: string;
                failedQueue?: string;
                task?: string;
                reason?: string;
                search?: string;
                field?: string;
                value?: string;
                match?: string;
                limit?: number;
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        task: {
                            taskId: string;
                            eventId: string;
                            queue: string;
                            publisher: string;
                            data: Record<string, unknown>;
                            priority: number;
                            attempts: number;
                            runAt: number;
                            createdAt: number;
                            leaseExpiresAt: number | null;
                            /** @enum {unknown} */
                            state: "scheduled" | "ready" | "started" | "succeeded" | "failed" | "cancelled";
                            maxAttempts: number | null;
                            workerId: string | null;
                            targetWorkerId: string | null;
                            finishedAt: number | null;
                            uniqueKey: string | null;
                            singularlyRun: boolean;
                            failReason: string | null;
                            result: unknown;
                            route: {
                                revision: number;
                                interest: "*" | {
                                    field: string;
                                    keyPattern: string;
                                    valuePattern: string;
                                };
                            };
                            history: {
                                at: number;
                                what: string;
                            }[];
                            heldBy: string | null;
                        };
                    } | {
                        workerId: string;
                        length: number;
                        tasks: {
                            taskId: string;
                            eventId: string;
                            queue: string;
                            publisher: string;
                            data: Record<string, unknown>;
                            priority: number;
                            attempts: number;
                            runAt: number;
                            createdAt: number;
                            leaseExpiresAt: number | null;
                            /** @enum {unknown} */
                            state: "scheduled" | "ready" | "started" | "succeeded" | "failed" | "cancelled";
                            maxAttempts: number | null;
                            workerId: string | null;
                            targetWorkerId: string | null;
                            finishedAt: number | null;
                            uniqueKey: string | null;
                            singularlyRun: boolean;
                            failReason: string | null;
                            result: unknown;
                            route: {
                                revision: number;
                                interest: "*" | {
                                    field: string;
                                    keyPattern: string;
                                    valuePattern: string;
                                };
                            };
                            history: {
                                at: number;
                                what: string;
                            }[];
                        }[];
                    } | {
                        total: number;
                        tasks: {
                            taskId: string;
                            eventId: string;
                            queue: string;
                            publisher: string;
                            data: Record<string, unknown>;
                            priority: number;
                            attempts: number;
                            runAt: number;
                            createdAt: number;
                            leaseExpiresAt: number | null;
                            /** @enum {unknown} */
                            state: "scheduled" | "ready" | "started" | "succeeded" | "failed" | "cancelled";
                            maxAttempts: number | null;
                            workerId: string | null;
                            targetWorkerId: string | null;
                            finishedAt: number | null;
                            uniqueKey: string | null;
                            singularlyRun: boolean;
                            failReason: string | null;
                            result: unknown;
                            route: {
                                revision: number;
                                interest: "*" | {
                                    field: string;
                                    keyPattern: string;
                                    valuePattern: string;
                                };
                            };
                            history: {
                                at: number;
                                what: string;
                            }[];
                        }[];
                    } | {
                        queue: string;
                        length: number;
                        counts: {
                            scheduled: number;
                            ready: number;
                            started: number;
                            succeeded: number;
                            failed: number;
                            cancelled: number;
                        };
                        heldBy: ("paused" | "concurrency" | "rateLimit") | null;
                        policy: {
                            paused: boolean;
                            maxAttempts: number;
                            backoffSeconds: number;
                            maxBackoffSeconds: number;
                            leaseSeconds: number | null;
                            rateLimit: number | null;
                            concurrency: number | null;
                            pushUrl: string | null;
                            pushTimeoutSeconds: number;
                            hasPushSecret: boolean;
                        };
                        interests: "*" | {
                            [key: string]: string;
                        } | null;
                    } | {
                        total: number;
                        queues: {
                            name: string;
                            length: number;
                            counts: {
                                scheduled: number;
                                ready: number;
                                started: number;
                                succeeded: number;
                                failed: number;
                                cancelled: number;
                            };
                            paused: boolean;
                            heldBy: ("paused" | "concurrency" | "rateLimit") | null;
                        }[];
                    } | {
                        revision: number;
                        interests: {
                            [key: string]: "*" | {
                                [key: string]: string;
                            } | null;
                        };
                    } | {
                        workers: {
                            workerId: string;
                            name: string;
                            queues: string[];
                            registeredAt: number;
                            lastSeenAt: number;
                            tasksDone: number;
                            tasks: string[];
                        }[];
                    } | {
                        queues: {
                            name: string;
                            length: number;
                            counts: {
                                scheduled: number;
                                ready: number;
                                started: number;
                                succeeded: number;
                                failed: number;
                                cancelled: number;
                            };
                            paused: boolean;
                            heldBy: ("paused" | "concurrency" | "rateLimit") | null;
                        }[];
                        workers: number;
                        failed: number;
                        fastPostErrors: number;
                        throughput: {
                            minutes: {
                                minute: number;
                                published: number;
                                started: number;
                                succeeded: number;
                                failed: number;
                                retried: number;
                            }[];
                        };
                        schedules: {
                            name: string;
                            paused: boolean;
                            nextRunAt: number | null;
                        }[];
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    throughput: {
        parameters: {
            query?: {
                queues?: string;
                minutes?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        minutes: {
                            minute: number;
                            published: number;
                            started: number;
                            succeeded: number;
                            failed: number;
                            retried: number;
                        }[];
                    } | {
                        queues: {
                            [key: string]: {
                                minute: number;
                                published: number;
                                started: number;
                                succeeded: number;
                                failed: number;
                                retried: number;
                            }[];
                        };
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listFailed: {
        parameters: {
            query?: {
                queue?: string;
                reason?: string;
                search?: string;
                field?: string;
                value?: string;
                limit?: number;
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        total: number;
                        tasks: {
                            taskId: string;
                            eventId: string;
                            queue: string;
                            publisher: string;
                            data: Record<string, unknown>;
                            priority: number;
                            attempts: number;
                            runAt: number;
                            createdAt: number;
                            leaseExpiresAt: number | null;
                            /** @enum {unknown} */
                            state: "scheduled" | "ready" | "started" | "succeeded" | "failed" | "cancelled";
                            maxAttempts: number | null;
                            workerId: string | null;
                            targetWorkerId: string | null;
                            finishedAt: number | null;
                            uniqueKey: string | null;
                            singularlyRun: boolean;
                            failReason: string | null;
                            result: unknown;
                            route: {
                                revision: number;
                                interest: "*" | {
                                    field: string;
                                    keyPattern: string;
                                    valuePattern: string;
                                };
                            };
                            history: {
                                at: number;
                                what: string;
                            }[];
                        }[];
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteFailed: {
        parameters: {
            query?: {
                taskIds?: string[] | string;
                all?: true;
                queue?: string;
                reason?: string;
                search?: string;
                field?: string;
                value?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    taskIds?: string[] | string;
                    /** @constant */
                    all?: true;
                    queue?: string;
                    reason?: string;
                    search?: string;
                    field?: string;
                    value?: string;
                };
                "application/x-www-form-urlencoded": {
                    taskIds?: string[] | string;
                    /** @constant */
                    all?: true;
                    queue?: string;
                    reason?: string;
                    search?: string;
                    field?: string;
                    value?: string;
                };
            };
        };
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deleted: number;
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    retryFailed: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    taskIds?: string[];
                    /** @constant */
                    all?: true;
                    queue?: string;
                    reason?: string;
                    search?: string;
                    field?: string;
                    value?: string;
                    toQueue?: string;
                    data?: Record<string, unknown>;
                };
                "application/x-www-form-urlencoded": {
                    taskIds?: string[];
                    /** @constant */
                    all?: true;
                    queue?: string;
                    reason?: string;
                    search?: string;
                    field?: string;
                    value?: string;
                    toQueue?: string;
                    data?: Record<string, unknown>;
                };
            };
        };
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        retried: number;
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listSchedules: {
        parameters: {
            query?: {
                name?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        schedules: {
                            name: string;
                            cron: string;
                            timezone: string | null;
                            event: Record<string, unknown>;
                            paused: boolean;
                            createdAt: number;
                            updatedAt: number;
                            lastTickAt: number;
                            lastFiredAt: number | null;
                            lastEventId: string | null;
                            lastMissedTicks: number;
                            nextRuns: number[];
                        }[];
                    } | {
                        schedule: {
                            name: string;
                            cron: string;
                            timezone: string | null;
                            event: Record<string, unknown>;
                            paused: boolean;
                            createdAt: number;
                            updatedAt: number;
                            lastTickAt: number;
                            lastFiredAt: number | null;
                            lastEventId: string | null;
                            lastMissedTicks: number;
                            nextRuns: number[];
                        };
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    cron: string;
                    timezone?: string | null;
                    event: {
                        publisher: string;
                        data: Record<string, unknown>;
                        delay?: number;
                        /** @enum {unknown} */
                        scope?: "any" | "all";
                        singularlyEnqueue?: boolean;
                        singularlyRun?: boolean;
                        uniqueKey?: string;
                        priority?: number;
                        maxAttempts?: number;
                    };
                    paused?: boolean;
                };
                "application/x-www-form-urlencoded": {
                    name: string;
                    cron: string;
                    timezone?: string | null;
                    event: {
                        publisher: string;
                        data: Record<string, unknown>;
                        delay?: number;
                        /** @enum {unknown} */
                        scope?: "any" | "all";
                        singularlyEnqueue?: boolean;
                        singularlyRun?: boolean;
                        uniqueKey?: string;
                        priority?: number;
                        maxAttempts?: number;
                    };
                    paused?: boolean;
                };
            };
        };
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        name: string;
                        cron: string;
                        timezone: string | null;
                        event: Record<string, unknown>;
                        paused: boolean;
                        createdAt: number;
                        updatedAt: number;
                        lastTickAt: number;
                        lastFiredAt: number | null;
                        lastEventId: string | null;
                        lastMissedTicks: number;
                        nextRuns: number[];
                    };
                };
            };
            /** @description 201 */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        name: string;
                        cron: string;
                        timezone: string | null;
                        event: Record<string, unknown>;
                        paused: boolean;
                        createdAt: number;
                        updatedAt: number;
                        lastTickAt: number;
                        lastFiredAt: number | null;
                        lastEventId: string | null;
                        lastMissedTicks: number;
                        nextRuns: number[];
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteSchedule: {
        parameters: {
            query: {
                name: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        name: string;
                        deleted: boolean;
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    pauseSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    paused: boolean;
                };
                "application/x-www-form-urlencoded": {
                    name: string;
                    paused: boolean;
                };
            };
        };
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        name: string;
                        cron: string;
                        timezone: string | null;
                        event: Record<string, unknown>;
                        paused: boolean;
                        createdAt: number;
                        updatedAt: number;
                        lastTickAt: number;
                        lastFiredAt: number | null;
                        lastEventId: string | null;
                        lastMissedTicks: number;
                        nextRuns: number[];
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listTokens: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        tokens: {
                            name: string;
                            /** @enum {unknown} */
                            role: "admin" | "publish" | "work" | "read";
                            queues: string[] | null;
                            createdAt: number;
                            lastUsedAt: number | null;
                        }[];
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    /** @enum {string} */
                    role: "admin" | "publish" | "work" | "read";
                    queues?: string[];
                };
                "application/x-www-form-urlencoded": {
                    name: string;
                    /** @enum {string} */
                    role: "admin" | "publish" | "work" | "read";
                    queues?: string[];
                };
            };
        };
        responses: {
            /** @description 201 */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        name: string;
                        /** @enum {unknown} */
                        role: "admin" | "publish" | "work" | "read";
                        queues: string[] | null;
                        createdAt: number;
                        lastUsedAt: number | null;
                        token: string;
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteToken: {
        parameters: {
            query: {
                name: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deleted: number;
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    whoami: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        open: boolean;
                        name: string | null;
                        role: ("admin" | "publish" | "work" | "read") | null;
                        queues: string[] | null;
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listAudit: {
        parameters: {
            query?: {
                limit?: number;
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        total: number;
                        entries: {
                            at: number;
                        }[];
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        ok: boolean;
                        store: string;
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    metrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    openapi: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        openapi: string;
                        info: Record<string, unknown>;
                        paths: Record<string, unknown>;
                    };
                };
            };
            /** @description refused: the code says why */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description store_unavailable (503) or internal_error (500) */
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
