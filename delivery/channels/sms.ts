import type { DeliveryConfig } from '../../infra/config.js';
import { DeliveryFailure, postJson } from './failure.js';

type SmsConfig = NonNullable<DeliveryConfig['sms']>;

/**
 * An SMS through a provider-neutral HTTP gateway: JSON `{ to, templateId, params, idempotencyKey }`
 * to the configured URL, authenticated by one configured header. The gateway holds the texts (as
 * Chinese SMS providers require registered templates); the phone is the caller's to give, read
 * from the vault at send time, and goes nowhere else.
 */
export async function sendSms(
  sms: SmsConfig,
  message: {
    readonly idempotencyKey: string;
    readonly kind: string;
    readonly phone: string;
    readonly params: Readonly<Record<string, string>>;
  },
  timeoutMs: number,
): Promise<string> {
  const templateId = sms.templates[message.kind];
  if (!templateId) throw new DeliveryFailure(`no SMS template for ${message.kind}`, true);
  return postJson(
    'SMS gateway',
    sms.url,
    {
      'idempotency-key': message.idempotencyKey,
      ...(sms.authHeader ? { [sms.authHeader.name]: sms.authHeader.value } : {}),
    },
    JSON.stringify({
      to: message.phone,
      templateId,
      params: message.params,
      idempotencyKey: message.idempotencyKey,
    }),
    timeoutMs,
  );
}
