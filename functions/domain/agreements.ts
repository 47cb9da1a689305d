import { conflict } from '../shared/errors.ts';
import { newId } from './ids.ts';
import { localDate } from './time.ts';

/**
 * An organisation's agreement for a number of employee memberships over a period: at one hub
 * (`scope: hub`), or at every hub of the network (`scope: network`, kept nationally).
 */
export interface Agreement {
  id: string;
  scope: 'hub' | 'network';
  /** The hub, for hub agreements. */
  hubId?: string;
  organisationId: string;
  seats: number;
  /** Memberships (kind `member`) registered under the agreement. */
  used: number;
  validFrom: string;
  validTo: string;
  createdAt: string;
}

/** What the network-wide agreements need from storage (the national network table). */
export interface NetworkAgreementStore {
  agreementsOf(organisationId: string): Promise<Agreement[]>;
  create(agreement: Agreement): Promise<void>;
  /** Takes a seat for a member of a hub; false when the agreement is full. */
  takeSeat(agreement: Agreement, holder: { hubId: string; memberId: string }): Promise<boolean>;
  /** Gives a member's seat back (idempotent). */
  releaseSeat(agreement: Pick<Agreement, 'id' | 'organisationId'>, holder: { hubId: string; memberId: string }): Promise<void>;
}

/** A new agreement, refused with 409 when its period overlaps one of the organisation's others. */
export function newAgreement(
  existing: Agreement[],
  input: { organisationId: string; organisationName: string; seats: number; validFrom: string; validTo: string; scope: Agreement['scope']; hubId?: string },
  now: Date,
): Agreement {
  const overlapping = existing.find((a) => a.validFrom <= input.validTo && input.validFrom <= a.validTo);
  if (overlapping) {
    throw conflict(`${input.organisationName} already has an agreement for ${overlapping.validFrom} – ${overlapping.validTo}`, [{ path: 'body.validFrom', message: `Overlaps agreement ${overlapping.id}` }]);
  }
  return {
    id: newId('agr'),
    scope: input.scope,
    ...(input.hubId ? { hubId: input.hubId } : {}),
    organisationId: input.organisationId,
    seats: input.seats,
    used: 0,
    validFrom: input.validFrom,
    validTo: input.validTo,
    createdAt: now.toISOString(),
  };
}

/** The agreement in force on a day, if any (the latest to begin wins). */
export function inForce(agreements: Agreement[], now: Date, timeZone: string): Agreement | undefined {
  const today = localDate(now, timeZone);
  return agreements.filter((a) => a.validFrom <= today && today <= a.validTo).sort((a, b) => b.validFrom.localeCompare(a.validFrom))[0];
}
