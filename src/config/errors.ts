/**
 * An error whose message is the whole story for the user (bad config, missing model tarball):
 * main.ts prints just the message, without a stack trace.
 */
export class UserFacingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
