import { z } from 'zod';

/**
 * Response schemas of the deployment-job operations (2020-04-07), with the field names and
 * types of the official SDK's models (@alicloud/cas20200407 3.0.0). Objects are loose, so a
 * field CAS adds later (an error text on a worker, say) passes through untouched. Times are
 * epoch strings (documented as seconds, sent as milliseconds): read them with parseTime.
 */
const numberOrText = z.union([z.number(), z.string()]);
const counter = z.number().int().nonnegative().default(0);
const id = z.number().int().nonnegative();

/** CreateDeploymentJob. */
export const createdDeploymentJobSchema = z.looseObject({
  RequestId: z.string().optional(),
  JobId: z.number().int().positive(),
});
export type CreatedDeploymentJob = z.infer<typeof createdDeploymentJobSchema>;

/** UpdateDeploymentJobStatus and UpdateWorkerResourceStatus: only the RequestId (and an undocumented Data). */
export const deploymentWriteSchema = z.looseObject({
  RequestId: z.string().optional(),
  Data: z.unknown().optional(),
});
export type DeploymentWrite = z.infer<typeof deploymentWriteSchema>;

/** A job as ListDeploymentJob lists it; DescribeDeploymentJob adds Config and CasContacts. */
export const deploymentJobRowSchema = z.looseObject({
  Id: id,
  Name: z.string().optional(),
  /** user, cloud, or trustee (hosted, China site). */
  JobType: z.string().optional(),
  /** editing, pending, scheduling, processing, success, error; a string so a new value is shown, not refused. */
  Status: z.string(),
  ScheduleTime: numberOrText.optional(),
  StartTime: numberOrText.optional(),
  EndTime: numberOrText.optional(),
  GmtCreate: numberOrText.optional(),
  GmtModified: numberOrText.optional(),
  /** The names of the job's certificates, comma-separated. */
  CertDomain: z.string().optional(),
  CertType: z.string().optional(),
  /** The cloud products of the job, comma-separated. */
  ProductName: z.string().optional(),
  InstanceId: z.string().optional(),
  /** 1 when a worker of the job was rolled back. */
  Rollback: z.number().optional(),
  Del: z.number().optional(),
  UserId: z.number().optional(),
});
export type DeploymentJobRow = z.infer<typeof deploymentJobRowSchema>;

export const deploymentJobSchema = deploymentJobRowSchema.extend({
  RequestId: z.string().optional(),
  /** JSON text, e.g. {"shareCertIds":[],"certIds":[12342649]}. */
  Config: z.string().optional(),
  CasContacts: z
    .array(
      z.looseObject({
        /** A string here, a number in ListContact. */
        Id: numberOrText.optional(),
        Name: z.string().optional(),
        Email: z.string().optional(),
        Mobile: z.string().optional(),
      }),
    )
    .default([]),
});
export type DeploymentJob = z.infer<typeof deploymentJobSchema>;

export const deploymentJobPageSchema = z.looseObject({
  RequestId: z.string().optional(),
  Total: z.number().int().nonnegative().default(0),
  CurrentPage: z.number().int().optional(),
  ShowSize: z.number().int().optional(),
  Data: z.array(deploymentJobRowSchema).default([]),
});
export type DeploymentJobPage = z.infer<typeof deploymentJobPageSchema>;

/** DescribeDeploymentJobStatus: Success and Failed count without rollbacks. */
export const deploymentJobStatusSchema = z.looseObject({
  RequestId: z.string().optional(),
  WorkerCount: counter,
  SuccessCount: counter,
  FailedCount: counter,
  RollbackCount: counter,
  RollbackSuccessCount: counter,
  RollbackFailedCount: counter,
  MatchWorkerCount: z.number().optional(),
  CertCount: z.number().optional(),
  ResourceCount: z.number().optional(),
  CostCount: z.number().optional(),
  UseCount: z.number().optional(),
  BuyCount: z.number().optional(),
  ProductWorkerCount: z
    .array(z.looseObject({ ProductName: z.string().optional(), Count: z.number().optional() }))
    .default([]),
});
export type DeploymentJobStatus = z.infer<typeof deploymentJobStatusSchema>;

/** One worker of ListWorkerResource: a resource of the job. The SDK's model has no error text. */
export const workerResourceSchema = z.looseObject({
  Id: id,
  JobId: z.number().optional(),
  /** The job's states, plus rollback, rollback_success, rollback_error. */
  Status: z.string(),
  /** Left out for Alibaba Cloud's own products. */
  CloudName: z.string().optional(),
  CloudProduct: z.string().optional(),
  CloudRegion: z.string().optional(),
  RegionId: z.string().optional(),
  /** The ListCloudResources record ID. */
  ResourceId: z.number().optional(),
  InstanceId: z.string().optional(),
  ListenerId: z.string().optional(),
  /** A number here, where ListCloudResources sends ListenerPort as a string. */
  Port: numberOrText.optional(),
  /** A boolean here, where ListCloudResources sends 1/0. */
  DefaultResource: z.union([z.boolean(), z.number()]).optional(),
  CertId: z.number().optional(),
  CertName: z.string().optional(),
  CertDomain: z.string().optional(),
  /** The certificate the resource served before (what a rollback restores). */
  ResourceCertId: z.number().optional(),
  ResourceDomain: z.string().optional(),
  GmtCreate: numberOrText.optional(),
  GmtModified: numberOrText.optional(),
});
export type WorkerResource = z.infer<typeof workerResourceSchema>;

export const workerResourcePageSchema = z.looseObject({
  RequestId: z.string().optional(),
  Total: z.number().int().nonnegative().default(0),
  CurrentPage: z.number().int().optional(),
  ShowSize: z.number().int().optional(),
  Data: z.array(workerResourceSchema).default([]),
});
export type WorkerResourcePage = z.infer<typeof workerResourcePageSchema>;

export const contactSchema = z.looseObject({
  ContactId: id,
  Name: z.string().optional(),
  Email: z.string().optional(),
  Mobile: z.string().optional(),
  EmailStatus: z.number().optional(),
  MobileStatus: z.number().optional(),
  /** A JSON array of URLs, as text. */
  Webhooks: z.string().optional(),
});
export type Contact = z.infer<typeof contactSchema>;

export const contactPageSchema = z.looseObject({
  RequestId: z.string().optional(),
  /** TotalCount, where the deployment lists say Total. */
  TotalCount: z.number().int().nonnegative().default(0),
  CurrentPage: z.number().int().optional(),
  ShowSize: z.number().int().optional(),
  ContactList: z.array(contactSchema).default([]),
});
export type ContactPage = z.infer<typeof contactPageSchema>;
