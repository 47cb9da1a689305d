/** The hubs shipped in `hubs/`, and the stacks the CDK app makes of them. */
export const SHIPPED_HUBS = ['boden', 'lulea', 'ostersund', 'skelleftea', 'stockholm', 'umea'];
export const EXPECTED_STACKS = [...SHIPPED_HUBS.map((h) => `samverkan-hub-${h}`), 'samverkan-national'];
