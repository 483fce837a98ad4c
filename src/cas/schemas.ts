import { z } from 'zod';

/**
 * Response schemas for the five CAS operations. Objects are loose so that fields the
 * service adds later pass through untouched; counters the service leaves out count as
 * zero, because every consumer (risk summary, digest, metrics) sums or compares them.
 */
const counter = z.number().int().nonnegative().default(0);

export const riskCountSchema = z.looseObject({
  RequestId: z.string().optional(),
  BuyCertificateExpireCount: counter,
  BuyCertificateWillExpiredCount: counter,
  BuyCertificateNotDeploymentCount: counter,
  BuyCertificateNotTrusteeCount: counter,
  BuyCheckedFailCount: counter,
  FreeCertificateExpireCount: counter,
  FreeCertificateWillExpiredCount: counter,
  FreeCertificateNotDeploymentCount: counter,
  FreeCheckedFailCount: counter,
  UploadCertificateExpireCount: counter,
  UploadCertificateWillExpiredCount: counter,
  UploadCertificateNotDeploymentCount: counter,
  UploadCertificateNotNoticeCount: counter,
  AliyunAssetCertificateExpiredCount: counter,
  AliyunAssetCertificateWillExpiredCount: counter,
  MultiCloudAssetCertificateExpiredCount: counter,
  MultiCloudAssetCertificateWillExpiredCount: counter,
  DomainAssetNotMonitorCount: counter,
});
export type RiskCount = z.infer<typeof riskCountSchema>;

export const assetCountSchema = z.looseObject({
  RequestId: z.string().optional(),
  /** Current health score. */
  Point: z.number().optional(),
  /** Previous health score. */
  LastPoint: z.number().optional(),
  PointRatio: z.number().optional(),
  /** Score update time, epoch milliseconds. */
  PointTime: z.number().optional(),
  BuyCertificateCount: counter,
  FreeCertificateCount: counter,
  UploadCertificateCount: counter,
  AliyunAssetCount: counter,
  TencentAssetCount: counter,
  HuaweiAssetCount: counter,
  AwsAssetCount: counter,
  DomainAssetCount: counter,
});
export type AssetCount = z.infer<typeof assetCountSchema>;

export const certificateStatusSchema = z.looseObject({
  SerialNumber: z.string(),
  /** good | revoked | unknown; kept as a string so a new value is shown rather than rejected. */
  Status: z.string(),
  /** Documented as int64 with a date-time example; accept both forms. */
  RevokeTime: z.union([z.number(), z.string()]).optional(),
});
export type CertificateStatus = z.infer<typeof certificateStatusSchema>;

export const certificateStatusResponseSchema = z.looseObject({
  RequestId: z.string().optional(),
  CertificateStatus: z.array(certificateStatusSchema).default([]),
});
export type CertificateStatusResponse = z.infer<typeof certificateStatusResponseSchema>;

/** One row of ListUserCertificateOrder for OrderType CERT or UPLOAD. */
export const certificateOrderSchema = z.looseObject({
  CertificateId: z.number().optional(),
  InstanceId: z.string().optional(),
  Name: z.string().optional(),
  CommonName: z.string().optional(),
  Sans: z.string().optional(),
  Issuer: z.string().optional(),
  SerialNo: z.string().optional(),
  OrgName: z.string().optional(),
  Fingerprint: z.string().optional(),
  Sha2: z.string().optional(),
  /** YYYY-MM-DD */
  StartDate: z.string().optional(),
  /** YYYY-MM-DD */
  EndDate: z.string().optional(),
  Expired: z.boolean().optional(),
  Upload: z.boolean().optional(),
  Status: z.string().optional(),
  ResourceGroupId: z.string().optional(),
});
export type CertificateOrder = z.infer<typeof certificateOrderSchema>;

export const certificateOrderPageSchema = z.looseObject({
  RequestId: z.string().optional(),
  TotalCount: z.number().int().nonnegative().default(0),
  CurrentPage: z.number().int().optional(),
  ShowSize: z.number().int().optional(),
  CertificateOrderList: z.array(certificateOrderSchema).default([]),
});
export type CertificateOrderPage = z.infer<typeof certificateOrderPageSchema>;

const numberOrText = z.union([z.number(), z.string()]);

/** One resource record of ListCloudResources: a cloud resource and the certificate it serves. */
export const cloudResourceSchema = z.looseObject({
  Id: z.number(),
  CertId: z.number().optional(),
  CertName: z.string().optional(),
  /** Seconds or milliseconds, as a string or a number (the docs and the examples disagree). */
  CertStartTime: numberOrText.optional(),
  CertEndTime: numberOrText.optional(),
  CloudName: z.string().optional(),
  CloudProduct: z.string().optional(),
  CloudRegion: z.string().optional(),
  RegionId: z.string().optional(),
  InstanceId: z.string().optional(),
  ListenerId: z.string().optional(),
  ListenerPort: numberOrText.optional(),
  Domain: z.string().optional(),
  EnableHttps: z.number().optional(),
  Status: z.string().optional(),
});
export type CloudResource = z.infer<typeof cloudResourceSchema>;

export const cloudResourcePageSchema = z.looseObject({
  RequestId: z.string().optional(),
  /** Not TotalCount, unlike the certificate listing. */
  Total: z.number().int().nonnegative().default(0),
  CurrentPage: z.number().int().optional(),
  ShowSize: z.number().int().optional(),
  Data: z.array(cloudResourceSchema).default([]),
});
export type CloudResourcePage = z.infer<typeof cloudResourcePageSchema>;

export const assignCertificateCountSchema = z.looseObject({
  RequestId: z.string().optional(),
  CertCount: z.number().int().optional(),
  CurrentYearFreeCertCount: z.number().int().optional(),
});
export type AssignCertificateCountResult = z.infer<typeof assignCertificateCountSchema>;
