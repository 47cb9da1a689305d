import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';

/**
 * Tracing (X-Ray) and business metrics (CloudWatch EMF) of every function, via Powertools.
 * On AWS, traces go to X-Ray (the functions run with active tracing) and each metric is one
 * EMF line in the function's log, which CloudWatch turns into a metric in the `samverkan`
 * namespace. Locally the runtime sets `POWERTOOLS_TRACE_ENABLED=false` (no X-Ray daemon) and the
 * EMF lines go to stdout (`POWERTOOLS_METRICS_DISABLED=true` in quiet test networks).
 */
export const tracer = new Tracer({ captureHTTPsRequests: false });

const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'samverkan', serviceName: 'samverkan' });

/** The business numbers on the dashboards (infra/constructs/alarms.ts `BUSINESS_METRICS`). */
export type BusinessMetric = 'CheckIns' | 'BookingsCreated' | 'BookingConflicts';

/** Counts a business event of a hub, published at once as one EMF record (dimensions: service, hubId). */
export function countBusiness(name: BusinessMetric, hubId: string, value = 1): void {
  const single = metrics.singleMetric();
  single.addDimension('hubId', hubId);
  single.addMetric(name, MetricUnit.Count, value);
}

/**
 * Wraps a non-HTTP handler in a traced subsegment (cold start and service annotated, errors
 * recorded; responses are not recorded — they may name people). A no-op when tracing is off.
 */
export function traced<E, R>(fn: (event: E, context?: Context) => Promise<R>): (event: E, context?: Context) => Promise<R> {
  return async (event, context) => {
    if (!tracer.isTracingEnabled()) return fn(event, context);
    const parent = tracer.getSegment();
    const sub = parent?.addNewSubsegment(`## ${process.env._HANDLER ?? 'handler'}`);
    if (sub) tracer.setSegment(sub);
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
    try {
      return await fn(event, context);
    } catch (e) {
      tracer.addErrorAsMetadata(e as Error);
      throw e;
    } finally {
      sub?.close();
      if (parent) tracer.setSegment(parent);
    }
  };
}

/** Traces an AWS SDK v3 client's calls (a no-op when tracing is off). */
export function traceClient<T>(client: T): T {
  return tracer.isTracingEnabled() ? tracer.captureAWSv3Client(client) : client;
}
