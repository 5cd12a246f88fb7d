import { Injectable } from '@nestjs/common';

/** Set when SIGTERM arrives, so /readyz turns 503 while in-flight requests finish. */
@Injectable()
export class Lifecycle {
  shuttingDown = false;
}
