export * from './delivery.types';
export { exponentialDelayMs, equalJitterMs, retryDelayMs, type BackoffPolicy } from './backoff';
export {
  outboxBundlesDownSql,
  outboxBundlesUpSql,
  outboxDownSql,
  outboxPayloadTextDownSql,
  outboxPayloadTextUpSql,
  outboxUpSql,
} from './outbox-schema';
export { DeliveryMonitor, REPORT_INTERVAL_MS, refusalKind } from './delivery-monitor';
export { OutboxRelay } from './outbox-relay';
export { OutboxWriter } from './outbox-writer';
export { insertMessagesFrom, unbundle } from './outbox.sql';
export { RELAY_DEFAULTS } from './relay-options';
export * from './outbox-bundle';
export * from './send-outcome';
export * from './outbound-http';
export { outboundHttpOptions } from './outbound-http.options';
export * from './outbound-http.module';
export * from './delivery-channel.definition';
export * from './delivery-channel';
export * from './delivery.module';
