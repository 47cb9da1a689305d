import { Aws } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/**
 * A role an AWS service assumes on this account's behalf, its trust policy limited to requests
 * made for this account (`aws:SourceAccount`, against the confused deputy) — for the services
 * that set that key when they assume a role: EventBridge (rule targets), EventBridge Scheduler
 * and EventBridge Pipes.
 */
export function serviceRole(scope: Construct, id: string, service: 'events.amazonaws.com' | 'scheduler.amazonaws.com' | 'pipes.amazonaws.com'): Role {
  return new Role(scope, id, { assumedBy: new ServicePrincipal(service, { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }) });
}
