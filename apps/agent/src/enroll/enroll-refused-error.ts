/** Enrollment was refused or answered with something unusable: retrying will not help. */
export class EnrollRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnrollRefusedError';
  }
}
