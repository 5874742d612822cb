import { isObject, nonEmptyString as text } from '../canonical.js';

/**
 * Who made a call, from CloudTrail's `userIdentity`: what `who`, `stopped`, history and deployments
 * print, and what `--principal` matches. `name` is the short form a reader recognises: the user, the
 * role and session (`Admin/alice`), `root`, or the AWS service that called.
 */
export interface Principal {
  /** `IAMUser`, `AssumedRole`, `FederatedUser`, `Root`, `AWSService`, `AWSAccount`, ... as CloudTrail says. */
  readonly type: string;
  readonly name: string;
  /** The user's or the assumed-role session's ARN. */
  readonly arn?: string;
  readonly account?: string;
  /** The role (or user, for a federation) whose credentials were used: `sessionContext.sessionIssuer`. */
  readonly issuerArn?: string;
  readonly issuerName?: string;
  /** The role session name, or a federated user's name. */
  readonly sessionName?: string;
  /** The AWS service that made the call on the principal's behalf (`application-autoscaling.amazonaws.com`). */
  readonly invokedBy?: string;
}

/** The last `/`-separated part of an ARN's resource: the session of `assumed-role/<role>/<session>`. */
const lastPart = (arn: string | undefined): string | undefined => arn?.split('/').at(-1);

export function principalOf(userIdentity: unknown): Principal {
  const u = isObject(userIdentity) ? userIdentity : {};
  const type = text(u.type) ?? 'Unknown';
  const arn = text(u.arn);
  const issuer =
    isObject(u.sessionContext) && isObject(u.sessionContext.sessionIssuer) ? u.sessionContext.sessionIssuer : {};
  const issuerName = text(issuer.userName);
  const invokedBy = text(u.invokedBy);
  const sessionName = type === 'AssumedRole' || type === 'FederatedUser' ? lastPart(arn) : undefined;
  const name =
    type === 'Root'
      ? 'root'
      : type === 'AWSService'
        ? (invokedBy ?? 'AWS service')
        : type === 'AssumedRole'
          ? [issuerName ?? lastPart(text(issuer.arn)), sessionName].filter(Boolean).join('/') || (arn ?? type)
          : (text(u.userName) ?? lastPart(arn) ?? text(u.accountId) ?? type);
  return {
    type,
    name,
    ...(arn && { arn }),
    ...(text(u.accountId) && { account: text(u.accountId) }),
    ...(text(issuer.arn) && { issuerArn: text(issuer.arn) }),
    ...(issuerName && { issuerName }),
    ...(sessionName && { sessionName }),
    ...(invokedBy && { invokedBy }),
  };
}
