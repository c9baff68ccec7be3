// The approval gate an elevation passes through (issue 12 plugs approvals in DynamoDB in here). runElevation calls
// reserve() after the pre-flight and before the MFA prompt, then exactly one of commit() (the STS call succeeded and
// the session is registered) or release() (anything after reserve failed or was cancelled).
import type { ElevationPlan } from './elevate';
import type { Session } from './types';

export interface ElevationGate {
  /** After the pre-flight, before the MFA prompt. Throw a BreakGlassError to refuse the elevation. */
  reserve(plan: ElevationPlan): Promise<GateReservation | undefined>;
}

export interface GateReservation {
  /** The STS call succeeded and the session is registered. */
  commit(session: Session): Promise<void>;
  /** The STS call (or anything after reserve) failed; the reservation goes back. */
  release(error: unknown): Promise<void>;
}
