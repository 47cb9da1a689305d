/**
 * GDPR plumbing shared by the parts of a hub that keep data naming a member. Each part is a
 * `PersonalDataHolder`: it contributes its sections to the export (Art. 15) and forgets the
 * member on erasure (Art. 17). `HubService` asks every holder it was given; a later issue that
 * stores something about members (event registrations, consents, …) adds a holder.
 */

/** One section of a member's export: what one part of the hub holds about them. */
export interface ExportSection {
  /** The key of the section in the export document (`bookings`, `hostedGuests`, …). */
  key: string;
  /** What the section holds, in plain words. */
  title: string;
  data: unknown;
}

/** What a holder is told about the person being erased. */
export interface ErasedPerson {
  memberId: string;
  /**
   * Name and e-mail while the member still exists (the first pass); absent when a retried
   * erasure finishes after the member item is gone.
   */
  name?: string | undefined;
  email?: string | undefined;
}

/** A part of the hub that keeps data naming members. */
export interface PersonalDataHolder {
  /**
   * Its sections of a member's export. `person` carries the member's e-mail, for what is linked
   * to them only by their address (event registrations made on the public route).
   */
  exportSections(memberId: string, person?: { email?: string | undefined }): Promise<ExportSection[]>;
  /**
   * Removes every trace of the member it holds. Idempotent: erasure runs it before and after
   * the member item is deleted, and a retried erasure runs it again to finish a partial one.
   */
  forget(person: ErasedPerson, correlationId: string): Promise<void>;
}

/** The number of transaction items DynamoDB (TransactWriteItems) takes at most. */
export const MAX_TRANSACTION_ITEMS = 100;

/** Packs units of work (each with its item count) into batches of at most `max` items, in order. */
export function batches<T>(units: T[], size: (unit: T) => number, max = MAX_TRANSACTION_ITEMS): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let used = 0;
  for (const unit of units) {
    const n = size(unit);
    if (n > max) throw new Error(`One unit of ${n} items exceeds a transaction of ${max}`);
    if (used + n > max) {
      out.push(current);
      current = [];
      used = 0;
    }
    current.push(unit);
    used += n;
  }
  if (current.length) out.push(current);
  return out;
}
