import { Webhook } from 'standardwebhooks';
import type { WebhookTarget } from '../../infra/config.js';
import { postJson } from './failure.js';

/**
 * 工单回传 to a hotline system, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`: HMAC-SHA256 by the `standardwebhooks` library). Every configured secret
 * signs, newest first, so a receiver can rotate: it accepts any signature it knows. The
 * `webhook-id` is the delivery's idempotency key, the same on every retry.
 */
export async function sendWebhook(
  target: WebhookTarget,
  delivery: { readonly idempotencyKey: string; readonly body: string },
  timeoutMs: number,
  now: Date = new Date(),
): Promise<string> {
  const signature = target.secrets
    .map((secret) => new Webhook(secret).sign(delivery.idempotencyKey, now, delivery.body))
    .join(' ');
  return postJson(
    `webhook ${target.url}`,
    target.url,
    {
      'webhook-id': delivery.idempotencyKey,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
    },
    delivery.body,
    timeoutMs,
  );
}
