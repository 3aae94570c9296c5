package dev.ztchat.cli;

/** An error caused by the user's input or environment; its message says what to do next. */
final class UserError extends RuntimeException {
  private final int exitCode;

  UserError(String message) {
    this(message, 1);
  }

  UserError(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
