import type { AssetCount, CertificateOrder, RiskCount } from '../../src/cas/types';
import { type Certificate, certificateFromOrder } from '../../src/domain/certificate';
import type { SlackMessage } from '../../src/slack/blocks/types';

/** 2025-03-10 09:30 UTC, a Monday. */
export const NOW = new Date('2025-03-10T09:30:00Z');

export const ZERO_RISK: RiskCount = {
  BuyCertificateExpireCount: 0,
  BuyCertificateWillExpiredCount: 0,
  BuyCertificateNotDeploymentCount: 0,
  BuyCertificateNotTrusteeCount: 0,
  BuyCheckedFailCount: 0,
  FreeCertificateExpireCount: 0,
  FreeCertificateWillExpiredCount: 0,
  FreeCertificateNotDeploymentCount: 0,
  FreeCheckedFailCount: 0,
  UploadCertificateExpireCount: 0,
  UploadCertificateWillExpiredCount: 0,
  UploadCertificateNotDeploymentCount: 0,
  UploadCertificateNotNoticeCount: 0,
  AliyunAssetCertificateExpiredCount: 0,
  AliyunAssetCertificateWillExpiredCount: 0,
  MultiCloudAssetCertificateExpiredCount: 0,
  MultiCloudAssetCertificateWillExpiredCount: 0,
  DomainAssetNotMonitorCount: 0,
};

export function risk(overrides: Partial<RiskCount> = {}): RiskCount {
  return { ...ZERO_RISK, RequestId: 'RISK-REQ-1', ...overrides };
}

export function assets(overrides: Partial<AssetCount> = {}): AssetCount {
  return {
    RequestId: 'ASSET-REQ-2',
    Point: 82,
    LastPoint: 85,
    PointTime: Date.UTC(2025, 2, 10, 7, 0),
    BuyCertificateCount: 10,
    FreeCertificateCount: 5,
    UploadCertificateCount: 3,
    AliyunAssetCount: 120,
    TencentAssetCount: 4,
    HuaweiAssetCount: 0,
    AwsAssetCount: 2,
    DomainAssetCount: 14,
    ...overrides,
  };
}

/** The account fixtures are filed under (DEFAULT_ACCOUNT). */
export const ACCOUNT = 'default';

/** A ListUserCertificateOrder row as CAS sends it. */
export function certificateOrder(overrides: Partial<CertificateOrder> = {}): CertificateOrder {
  return {
    CertificateId: 12345,
    CommonName: 'www.example.com',
    Issuer: 'DigiCert Global G2',
    EndDate: '2025-03-22',
    Expired: false,
    Upload: false,
    ...overrides,
  };
}

/** The model the renderers take, built from a CAS row the way the bot builds it. */
export function certificate(overrides: Partial<CertificateOrder> = {}): Certificate {
  return certificateFromOrder(certificateOrder(overrides), ACCOUNT);
}

/** A nonce as the bot mints them for /cert-assign confirmations (16-64 of [A-Za-z0-9_-]). */
export const NONCE = 'n0nce_ABCDEFGHIJKLMNOP-qrstuv';
/** When a confirmation made at NOW expires (15 minutes later). */
export const EXPIRES_AT = new Date('2025-03-10T09:45:00Z');

/** Text that breaks naive renderers: markup, JSON escapes, controls, emoji, a lone surrogate. */
export const NASTY = '"\\<b>&amp;</b>*bold*_it_`code`\u0000\u0007\t\r\n🔴:x:\ud800<!channel>|<@U1>';

export function nasty(length: number): string {
  return NASTY.repeat(Math.ceil(length / NASTY.length)).slice(0, length);
}

/** Every text a user can see in the blocks, one string per text object, in order. */
export function visibleTexts(message: SlackMessage): string[] {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if ((record.type === 'mrkdwn' || record.type === 'plain_text') && typeof record.text === 'string')
        out.push(record.text);
      else for (const key of Object.keys(record)) walk(record[key]);
    }
  };
  walk(message.blocks);
  return out;
}

/** The mrkdwn texts only: where Slack would turn `<…>` into mentions and links. */
export function mrkdwnText(message: SlackMessage): string {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (record.type === 'mrkdwn' && typeof record.text === 'string') out.push(record.text);
      else for (const key of Object.keys(record)) walk(record[key]);
    }
  };
  walk(message.blocks);
  return out.join('\n');
}

export function allText(message: SlackMessage): string {
  return visibleTexts(message).join('\n');
}

export function buttons(
  message: SlackMessage,
): Array<{ text: string; action_id: string; value?: string; style?: string }> {
  return message.blocks.flatMap((block) =>
    block.type === 'actions'
      ? block.elements.flatMap((element) =>
          element.type === 'button'
            ? [
                {
                  text: element.text.text,
                  action_id: element.action_id ?? '',
                  value: element.value,
                  style: element.style,
                },
              ]
            : [],
        )
      : [],
  );
}
