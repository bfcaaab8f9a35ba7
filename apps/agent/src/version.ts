/** Sent in get_info and the start activity. */
export const AGENT_VERSION = '0.1.0';
