/**
 * Reads synthesized CloudFormation templates and resolves the intrinsic functions they use
 * (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split, Fn::ImportValue, pseudo
 * parameters) to the physical names of the local runtime.
 */

/** One CloudFormation resource. */
export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  DependsOn?: string | string[];
}

/** A synthesized template. */
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
}

/** The local account, region and identity-provider ids that stand in for AWS's. */
export const LOCAL = {
  account: '000000000000',
  region: 'eu-north-1',
  partition: 'aws',
  urlSuffix: 'amazonaws.com',
  userPoolId: 'eu-north-1_samverkanLocal',
  userPoolClientId: 'samverkanlocalclient',
} as const;

/** The physical name the local runtime gives a resource without an explicit name. */
export const physicalName = (stack: string, logicalId: string) => `${stack}-${logicalId}`;

/** Resolves intrinsics across a set of stacks (for Fn::ImportValue). */
export class Resolver {
  private readonly exports = new Map<string, { stack: string; value: unknown }>();

  constructor(
    readonly templates: Record<string, CfnTemplate>,
    /** Prefix of generated physical names, so that several local networks can share one emulator. */
    readonly prefix = '',
  ) {
    for (const [stack, t] of Object.entries(templates)) {
      for (const out of Object.values(t.Outputs ?? {})) {
        if (out.Export) this.exports.set(String(this.resolve(stack, out.Export.Name)), { stack, value: out.Value });
      }
    }
  }

  /** The resource of a stack by logical id. */
  resource(stack: string, logicalId: string): CfnResource {
    const r = this.templates[stack]?.Resources[logicalId];
    if (!r) throw new Error(`No resource ${logicalId} in stack ${stack}`);
    return r;
  }

  /** Resolves a template value in the context of one stack. */
  resolve(stack: string, value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(stack, v));
    if (value === null || typeof value !== 'object') return value;
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1) {
      const [fn] = keys as [string];
      const arg = obj[fn];
      switch (fn) {
        case 'Ref':
          return this.ref(stack, String(arg));
        case 'Fn::GetAtt': {
          const [id, attr] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
          return this.getAtt(stack, String(id), String(attr));
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, unknown[]];
          return (this.resolve(stack, parts) as unknown[]).join(sep);
        }
        case 'Fn::Select': {
          const [index, list] = arg as [unknown, unknown];
          return (this.resolve(stack, list) as unknown[])[Number(this.resolve(stack, index))];
        }
        case 'Fn::Split': {
          const [sep, text] = arg as [string, unknown];
          return String(this.resolve(stack, text)).split(sep);
        }
        case 'Fn::Sub': {
          const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
          return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
            if (name in vars) return String(this.resolve(stack, vars[name]));
            if (name.includes('.')) {
              const [id, attr] = name.split('.') as [string, string];
              return String(this.getAtt(stack, id, attr));
            }
            return String(this.ref(stack, name));
          });
        }
        case 'Fn::ImportValue': {
          const name = String(this.resolve(stack, arg));
          const exp = this.exports.get(name);
          if (!exp) throw new Error(`No export named ${name} (imported by ${stack})`);
          return this.resolve(exp.stack, exp.value);
        }
      }
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, this.resolve(stack, v)]));
  }

  private ref(stack: string, id: string): unknown {
    switch (id) {
      case 'AWS::Region':
        return LOCAL.region;
      case 'AWS::AccountId':
        return LOCAL.account;
      case 'AWS::Partition':
        return LOCAL.partition;
      case 'AWS::URLSuffix':
        return LOCAL.urlSuffix;
      case 'AWS::StackName':
        return stack;
      case 'AWS::NoValue':
        return undefined;
    }
    const r = this.resource(stack, id);
    const p = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::Events::EventBus':
        return this.resolve(stack, p.Name);
      case 'AWS::Cognito::UserPool':
        return LOCAL.userPoolId;
      case 'AWS::Cognito::UserPoolClient':
        return LOCAL.userPoolClientId;
      case 'AWS::SQS::Queue':
        return `https://sqs.${LOCAL.region}.${LOCAL.urlSuffix}/${LOCAL.account}/${physicalName(stack, id)}`;
      case 'AWS::ApiGatewayV2::Integration':
        return id;
      default:
        return physicalName(this.prefix + stack, id);
    }
  }

  private getAtt(stack: string, id: string, attr: string): unknown {
    const r = this.resource(stack, id);
    const name = this.ref(stack, id);
    const arn = (service: string, resource: string) => `arn:${LOCAL.partition}:${service}:${LOCAL.region}:${LOCAL.account}:${resource}`;
    switch (`${r.Type}.${attr}`) {
      case 'AWS::Events::EventBus.Arn':
        return arn('events', `event-bus/${name}`);
      case 'AWS::Events::EventBus.Name':
        return name;
      case 'AWS::Lambda::Function.Arn':
        return arn('lambda', `function:${name}`);
      case 'AWS::DynamoDB::Table.Arn':
        return arn('dynamodb', `table/${name}`);
      case 'AWS::DynamoDB::Table.StreamArn':
        return arn('dynamodb', `table/${name}/stream/local`);
      case 'AWS::SQS::Queue.Arn':
        return arn('sqs', physicalName(stack, id));
      case 'AWS::SQS::Queue.QueueName':
        return physicalName(stack, id);
      case 'AWS::IAM::Role.Arn':
        return `arn:${LOCAL.partition}:iam::${LOCAL.account}:role/${name}`;
      case 'AWS::ApiGatewayV2::Api.ApiEndpoint':
        return `http://127.0.0.1`;
      case 'AWS::Cognito::UserPool.ProviderURL':
        return `cognito-idp.${LOCAL.region}.${LOCAL.urlSuffix}/${LOCAL.userPoolId}`;
      default:
        return `${String(name)}.${attr}`;
    }
  }
}

/** Parses an ARN's resource part: `arn:aws:lambda:r:a:function:NAME` → {service, resource}. */
export function parseArn(arn: string): { service: string; resource: string } {
  const parts = arn.split(':');
  if (parts[0] !== 'arn' || parts.length < 6) throw new Error(`Not an ARN: ${arn}`);
  return { service: parts[2] ?? '', resource: parts.slice(5).join(':') };
}
