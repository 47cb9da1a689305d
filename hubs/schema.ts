import * as z from 'zod';
import { municipality } from './municipalities.ts';

/** Hub ids are lower-case ASCII slugs: they appear in URLs, stack names and event sources. */
export const HUB_ID_PATTERN = /^[a-z][a-z0-9-]{1,29}$/;
export const HUB_ID_MESSAGE = 'Use 2–30 lower-case letters a–z, digits or hyphens, starting with a letter (e.g. "umea")';
export const HubId = z.string().regex(HUB_ID_PATTERN, HUB_ID_MESSAGE);

const Time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use HH:MM, 24-hour clock');
const IsoDate = z.iso.date({ message: 'Use an ISO date, YYYY-MM-DD' });

/** Opening hours of one weekday; `null` means closed all day. */
export const DayHours = z
  .object({ opens: Time, closes: Time })
  .strict()
  .refine((d) => d.opens < d.closes, { message: '"opens" must be before "closes"', path: ['closes'] })
  .nullable();

const Weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

/** The weekly opening hours of a hub, one entry per weekday. */
export const OpeningHours = z.object(Object.fromEntries(Weekdays.map((d) => [d, DayHours])) as Record<(typeof Weekdays)[number], typeof DayHours>).strict();

const ResourceBase = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'Use lower-case letters, digits and hyphens (max 40)'),
  name: z.string().min(1).max(80),
  description: z.string().max(400).optional(),
};

/** A bookable resource of a hub: one desk, a pooled desk zone, a meeting room or an event space. */
export const Resource = z.discriminatedUnion('type', [
  z.object({ ...ResourceBase, type: z.literal('desk') }).strict(),
  z.object({ ...ResourceBase, type: z.literal('desk-pool'), count: z.number().int().min(1).max(500) }).strict(),
  z
    .object({
      ...ResourceBase,
      type: z.literal('room'),
      capacity: z.number().int().min(1).max(200),
      equipment: z.array(z.string().min(1)).default([]),
    })
    .strict(),
  z
    .object({
      ...ResourceBase,
      type: z.literal('event-space'),
      capacity: z.number().int().min(1).max(2000),
      equipment: z.array(z.string().min(1)).default([]),
    })
    .strict(),
]);
export type Resource = z.infer<typeof Resource>;

/** Eves that close a hub by rule, every year (see functions/domain/holidays.ts). */
export const Eves = ['julafton', 'nyarsafton', 'midsommarafton'] as const;
export type Eve = (typeof Eves)[number];

/** Booking rules of a hub; every field has a default, so a hub file may leave them out. */
export const BookingRules = z
  .object({
    /** Rooms and event spaces are booked in slots of this many minutes. */
    roomSlotMinutes: z.union([z.literal(15), z.literal(30), z.literal(60)]).default(15),
    /** Desks are booked by the half day (opening–midday, midday–closing) or the whole day. */
    deskMidday: Time.default('12:00'),
    /** The longest room or event-space booking. */
    maxRoomBookingMinutes: z.number().int().min(15).max(24 * 60).default(8 * 60),
    /** How far ahead a booking may start. */
    bookingHorizonDays: z.number().int().min(1).max(730).default(90),
    /** Bookings a member may hold that have not ended yet. */
    maxActiveBookingsPerMember: z.number().int().min(1).max(1000).default(10),
    /** A booking not checked in this long after its start is released (no-show). */
    noShowGraceMinutes: z.number().int().min(5).max(24 * 60).default(30),
    /** Closed on Swedish public holidays (the holiday act's, `functions/domain/holidays.ts`). */
    closedOnPublicHolidays: z.boolean().default(true),
    /**
     * Closed on these eves every year: julafton (24 Dec), nyårsafton (31 Dec), midsommarafton
     * (the Friday 19–25 June). Default all three; `[]` keeps the hub open on them.
     */
    closedOnEves: z.array(z.enum(Eves)).default([...Eves]),
  })
  .strict();

/** The configuration of one hub, one file per hub in `hubs/<id>.json`. */
export const HubConfig = z
  .object({
    $schema: z.string().optional(),
    id: HubId,
    name: z.string().min(2).max(80),
    city: z.string().min(2).max(80),
    municipality: z.string().min(2).max(80),
    /** The municipality's code in SCB's list (kommunkod, 4 digits), e.g. `2480` for Umeå. */
    municipalityCode: z
      .string()
      .refine((code) => municipality(code) !== undefined, 'Use the 4-digit SCB code of a Swedish municipality (kommunkod), e.g. "2480" for Umeå')
      .optional(),
    county: z.string().min(2).max(80),
    operator: z
      .object({
        consortium: z.string().min(2).max(120),
        municipality: z.string().min(2).optional(),
        region: z.string().min(2).optional(),
        countyBoard: z.string().min(2).optional(),
        partners: z.array(z.string().min(2)).default([]),
      })
      .strict()
      .refine((o) => o.municipality || o.region || o.countyBoard || o.partners.length > 0, {
        message: 'Name at least one consortium member (municipality, region, countyBoard or partners)',
      }),
    phase: z.enum(['preparation', 'start-up', 'operation']),
    timezone: z.literal('Europe/Stockholm'),
    openingHours: OpeningHours,
    /** One-off closures of this hub only; public holidays and eves close it by rule. */
    closedDays: z.array(IsoDate).default([]),
    hostVenue: z
      .object({
        name: z.string().min(2).max(120),
        address: z.string().min(2).max(200).optional(),
        description: z.string().max(600).optional(),
      })
      .strict(),
    resources: z.array(Resource).min(1),
    bookingRules: BookingRules.prefault({}),
    estimates: z.string().max(600).optional(),
    sources: z.array(z.string()).default([]),
    aws: z
      .object({
        account: z.string().regex(/^\d{12}$/, 'An AWS account id has 12 digits'),
        region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'An AWS region such as "eu-north-1"'),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((hub, ctx) => {
    const seen = new Map<string, number>();
    hub.resources.forEach((r, i) => {
      const first = seen.get(r.id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['resources', i, 'id'], message: `Duplicate resource id "${r.id}" (also resources[${first}])` });
      } else seen.set(r.id, i);
    });
    if (Object.values(hub.openingHours).every((d) => d === null)) {
      ctx.addIssue({ code: 'custom', path: ['openingHours'], message: 'A hub must be open on at least one weekday' });
    }
  });

/** A validated hub configuration. */
export type HubConfig = z.infer<typeof HubConfig>;
/** The hub configuration as written in the file, before defaults apply. */
export type HubConfigInput = z.input<typeof HubConfig>;
export { Weekdays };
