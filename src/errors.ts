/**
 * The one application error type. `code` is stable and dotted (`invite.code_expired`), `status` is
 * the HTTP status, and `expose` says whether `message` may be shown to the person who caused it.
 * Field errors let the error handler re-render a form with the message beside the field.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly expose: boolean;
  readonly fields: Record<string, string> | undefined;

  constructor(
    code: string,
    message: string,
    options: { status?: number; expose?: boolean; fields?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = options.status ?? 400;
    this.expose = options.expose ?? this.status < 500;
    this.fields = options.fields;
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;

/** Errors that must stop the process at start with one line and no stack trace. */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}
