/**
 * What `npm run smoke -- --stage <stage>` needs of a deployed stage: its URLs and user pool from
 * the national stack's outputs, and ID tokens of a test user it signs in by itself.
 *
 * The test user (`smoke-<stage>@<hub>.smoke.invalid`, in `staff-<hub>` and `national`) is made once
 * with `--setup`: created without an invitation mail, given a random permanent password, and, as
 * the pool requires MFA, an authenticator (TOTP) set up through Cognito's MFA_SETUP challenge. Its
 * password and TOTP secret are kept in Secrets Manager (`<prefix>-smoke-user`, this account's
 * default key), so a later run needs only AWS credentials. Sign-in is `AdminInitiateAuth`
 * (`ADMIN_USER_PASSWORD_AUTH`: only callable with IAM credentials, never from a browser) answered
 * with a TOTP code: the same ID token, audience and groups the staff app gets.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  AssociateSoftwareTokenCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { NATIONAL_GROUP, stageNames, staffGroup } from '../infra/names.ts';

/** The one method of an AWS SDK v3 client used here. */
export interface Sender {
  // biome-ignore lint/suspicious/noExplicitAny: any SDK command of the client
  send(command: any): Promise<any>;
}

/** The test user's sign-in, as kept in Secrets Manager. */
export interface SmokeUser {
  username: string;
  password: string;
  /** Base32, as Cognito's AssociateSoftwareToken gives it. */
  totpSecret: string;
}

/** What the smoke test takes from the national stack. */
export interface StageOutputs {
  webUrl: string;
  userPoolId: string;
  clientId: string;
}

const PERIOD = 30;

/** The TOTP code (RFC 6238: SHA-1, 6 digits, 30 s) of a base32 secret at a time. */
export const totp = (secret: string, at: number = Date.now()) => TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: PERIOD, timestamp: at });

/** The 30-second step a time falls in (Cognito takes each step's code once). */
const stepOf = (at: number) => Math.floor(at / 1000 / PERIOD);

/** The national stack's outputs the smoke test uses; throws naming a missing stack or output. */
export async function stageOutputs(cfn: Sender, stage: string): Promise<StageOutputs> {
  const stackName = stageNames(stage).nationalStack;
  let outputs: Array<{ OutputKey?: string; OutputValue?: string }>;
  try {
    outputs = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0]?.Outputs ?? [];
  } catch (e) {
    // CloudFormation says "Stack with id … does not exist" as a ValidationError; anything else (credentials) as it is.
    if ((e as Error).name !== 'ValidationError') throw e;
    throw new Error(`smoke: stack ${stackName} not found (${(e as Error).message}): deploy the stage first (npm run deploy -- -c stage=${stage})`);
  }
  const get = (key: string) => {
    const v = outputs.find((o) => o.OutputKey === key)?.OutputValue;
    if (!v) throw new Error(`smoke: stack ${stackName} has no output ${key}: deploy it again with this version`);
    return v;
  };
  return { webUrl: get('WebUrl'), userPoolId: get('UserPoolId'), clientId: get('UserPoolClientId') };
}

/** The name of the secret that holds a stage's test user. */
export const smokeSecretName = (stage: string) => `${stageNames(stage).prefix}-smoke-user`;

/** The stage's test user from Secrets Manager, or undefined when none was set up. */
export async function loadSmokeUser(secrets: Sender, stage: string): Promise<SmokeUser | undefined> {
  try {
    const res = await secrets.send(new GetSecretValueCommand({ SecretId: smokeSecretName(stage) }));
    return JSON.parse(res.SecretString) as SmokeUser;
  } catch (e) {
    if ((e as Error).name === 'ResourceNotFoundException') return undefined;
    throw e;
  }
}

/** A password the pool's policy takes (14+, upper, lower, digit, symbol). */
const newPassword = () => `Sv-${randomBytes(18).toString('base64url')}a1B!`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits, if needed, until the 30-second step after `usedStep`, so a new code is taken. */
async function nextStep(usedStep: number | undefined, now: () => number, wait: (ms: number) => Promise<unknown>) {
  if (usedStep === undefined || stepOf(now()) > usedStep) return;
  await wait((usedStep + 1) * PERIOD * 1000 - now() + 200);
}

export interface SignInDeps {
  now?: () => number;
  wait?: (ms: number) => Promise<unknown>;
}

/**
 * Signs the test user in (`ADMIN_USER_PASSWORD_AUTH`, then the TOTP challenge); returns its ID
 * token. `usedStep` is the 30-second step whose code was just spent (at set-up): Cognito refuses a
 * code twice, so sign-in waits for the next one.
 */
export async function signIn(cognito: Sender, outputs: StageOutputs, user: SmokeUser, usedStep?: number, deps: SignInDeps = {}): Promise<string> {
  const now = deps.now ?? Date.now;
  const wait = deps.wait ?? sleep;
  await nextStep(usedStep, now, wait);
  const auth = await cognito.send(
    new AdminInitiateAuthCommand({ UserPoolId: outputs.userPoolId, ClientId: outputs.clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: user.username, PASSWORD: user.password } }),
  );
  if (auth.AuthenticationResult?.IdToken) return auth.AuthenticationResult.IdToken;
  if (auth.ChallengeName !== 'SOFTWARE_TOKEN_MFA') throw new Error(`smoke: sign-in of ${user.username} asked for ${auth.ChallengeName ?? 'nothing'}, not the TOTP code: run with --setup again`);
  const answer = await cognito.send(
    new AdminRespondToAuthChallengeCommand({
      UserPoolId: outputs.userPoolId,
      ClientId: outputs.clientId,
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      Session: auth.Session,
      ChallengeResponses: { USERNAME: user.username, SOFTWARE_TOKEN_MFA_CODE: totp(user.totpSecret, now()) },
    }),
  );
  const token = answer.AuthenticationResult?.IdToken;
  if (!token) throw new Error(`smoke: sign-in of ${user.username} gave no ID token (challenge ${answer.ChallengeName ?? 'none'})`);
  return token;
}

/**
 * Makes (or remakes) the stage's test user: created without mail, a new permanent password, in
 * `staff-<hub>` and `national`, its authenticator set up; kept in Secrets Manager. Returns the
 * user and the 30-second step whose code it spent.
 */
export async function setUpSmokeUser(cognito: Sender, secrets: Sender, outputs: StageOutputs, stage: string, hub: string, deps: SignInDeps = {}): Promise<{ user: SmokeUser; usedStep: number }> {
  const now = deps.now ?? Date.now;
  const username = `smoke-${stage}@${hub}.smoke.invalid`;
  const password = newPassword();
  const create = new AdminCreateUserCommand({
    UserPoolId: outputs.userPoolId,
    Username: username,
    MessageAction: 'SUPPRESS',
    UserAttributes: [
      { Name: 'email', Value: username },
      { Name: 'email_verified', Value: 'true' },
    ],
  });
  try {
    await cognito.send(create);
  } catch (e) {
    if ((e as Error).name !== 'UsernameExistsException') throw e;
    // Set up again: a new user, so that its old authenticator goes with it.
    await cognito.send(new AdminDeleteUserCommand({ UserPoolId: outputs.userPoolId, Username: username }));
    await cognito.send(create);
  }
  await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: outputs.userPoolId, Username: username, Password: password, Permanent: true }));
  for (const group of [staffGroup(hub), NATIONAL_GROUP]) await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: outputs.userPoolId, Username: username, GroupName: group }));

  const auth = await cognito.send(
    new AdminInitiateAuthCommand({ UserPoolId: outputs.userPoolId, ClientId: outputs.clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } }),
  );
  if (auth.ChallengeName !== 'MFA_SETUP') throw new Error(`smoke: set-up sign-in asked for ${auth.ChallengeName ?? 'nothing'}, not MFA set-up (the pool requires MFA)`);
  const associated = await cognito.send(new AssociateSoftwareTokenCommand({ Session: auth.Session }));
  const totpSecret: string = associated.SecretCode;
  const usedStep = stepOf(now());
  const verified = await cognito.send(new VerifySoftwareTokenCommand({ Session: associated.Session, UserCode: totp(totpSecret, now()), FriendlyDeviceName: 'samverkan smoke test' }));
  if (verified.Status !== 'SUCCESS') throw new Error(`smoke: the authenticator was not accepted (${verified.Status})`);
  await cognito.send(
    new AdminRespondToAuthChallengeCommand({ UserPoolId: outputs.userPoolId, ClientId: outputs.clientId, ChallengeName: 'MFA_SETUP', Session: verified.Session, ChallengeResponses: { USERNAME: username } }),
  );
  await cognito.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: outputs.userPoolId, Username: username, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));

  const user: SmokeUser = { username, password, totpSecret };
  const secretString = JSON.stringify(user);
  try {
    await secrets.send(new CreateSecretCommand({ Name: smokeSecretName(stage), Description: `samverkan ${stage}: the smoke test's Cognito user (npm run smoke)`, SecretString: secretString }));
  } catch (e) {
    if ((e as Error).name !== 'ResourceExistsException') throw e;
    await secrets.send(new PutSecretValueCommand({ SecretId: smokeSecretName(stage), SecretString: secretString }));
  }
  return { user, usedStep };
}
