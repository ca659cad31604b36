/** Webhook sink: a local stand-in for Teams Workflows webhooks that records posts and can fail on demand. */
export { startWebhookSink, teamsMessageLimitBytes, type SinkPost, type WebhookSink, type WebhookSinkOptions } from './startWebhookSink';
