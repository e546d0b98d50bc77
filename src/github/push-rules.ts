import type { GithubClient } from './client.js';

/**
 * Read-only questions to GitHub about whether the token may push a new commit straight to a branch.
 * GitHub has two mechanisms that can refuse such a push, and both are asked: classic branch
 * protection (seen through GraphQL's `refUpdateRule`, which is evaluated for the token's own
 * account) and repository rulesets (REST; a ruleset applies to a branch whatever level it was
 * configured at). Failures are thrown as they come (Octokit's errors, EPROXY): whether they matter
 * is the caller's decision.
 */
export interface BranchRef {
  owner: string;
  repo: string;
  branch: string;
}

const CLASSIC_QUERY = `query($owner:String!,$name:String!,$ref:String!){
  repository(owner:$owner,name:$name){ ref(qualifiedName:$ref){ refUpdateRule { viewerCanPush } } }
}`;

interface ClassicAnswer {
  repository?: { ref?: { refUpdateRule?: { viewerCanPush?: unknown } | null } | null } | null;
}

/**
 * Classic branch protection: undefined when no protection rule covers the branch (or the branch is
 * not on GitHub), else whether GitHub takes a push from the token's account.
 */
export async function classicProtection(
  client: GithubClient,
  where: BranchRef,
): Promise<{ viewerCanPush: boolean } | undefined> {
  const data = await client.graphql<ClassicAnswer>(CLASSIC_QUERY, {
    owner: where.owner,
    name: where.repo,
    ref: `refs/heads/${where.branch}`,
  });
  const rule = data.repository?.ref?.refUpdateRule;
  if (!rule) return undefined;
  // A malformed answer must not turn into a refusal: it is reported as a failed read instead.
  if (typeof rule.viewerCanPush !== 'boolean')
    throw new Error('GitHub answered the refUpdateRule query without a viewerCanPush value');
  return { viewerCanPush: rule.viewerCanPush };
}

/**
 * Ruleset rules that refuse a plain push of one new, unsigned commit: it would have to come through a
 * pull request or the merge queue, wait for checks or deployments that cannot have run on it, or be
 * signed. Rules about history shape (non_fast_forward, required_linear_history), creation and
 * deletion do not stop a fast-forward push.
 */
export const PUSH_BLOCKING_RULES: readonly string[] = [
  'pull_request',
  'update',
  'required_status_checks',
  'required_deployments',
  'merge_queue',
  'required_signatures',
];

/** A ruleset that would refuse the push unless the token may bypass it. */
export interface BlockingRuleset {
  id: number;
  name: string;
  /** `owner/repo` or the organization the ruleset is configured in. */
  source: string;
  ruleTypes: string[];
  /** GitHub's `current_user_can_bypass`; undefined when GitHub did not say. */
  bypass: string | undefined;
}

/** `always` and `exempt` let a direct push through; `pull_requests_only` and `never` do not. */
export function mayBypass(bypass: string | undefined): boolean {
  return bypass === 'always' || bypass === 'exempt';
}

interface BranchRule {
  type?: unknown;
  ruleset_id?: unknown;
}

interface RulesetAnswer {
  id?: unknown;
  name?: unknown;
  source?: unknown;
  current_user_can_bypass?: unknown;
}

/** Rule types per ruleset id, of the active rules GitHub applies to the branch that block the push. */
async function blockingRuleTypes(client: GithubClient, where: BranchRef): Promise<Map<number, string[]>> {
  const byRuleset = new Map<number, string[]>();
  const rules: BranchRule[] = await client.paginate('GET /repos/{owner}/{repo}/rules/branches/{branch}', {
    owner: where.owner,
    repo: where.repo,
    branch: where.branch,
    per_page: 100,
  });
  for (const rule of rules) {
    if (typeof rule?.type !== 'string' || typeof rule.ruleset_id !== 'number') continue;
    if (!PUSH_BLOCKING_RULES.includes(rule.type)) continue;
    const types = byRuleset.get(rule.ruleset_id) ?? [];
    if (!types.includes(rule.type)) types.push(rule.type);
    byRuleset.set(rule.ruleset_id, types);
  }
  return byRuleset;
}

/**
 * The rulesets whose active rules would refuse the push, each with what GitHub says about the
 * token's bypass. The repository-level ruleset endpoint is used for every one (organization rulesets
 * included) because only it reports `current_user_can_bypass`.
 */
export async function pushRulesets(client: GithubClient, where: BranchRef): Promise<BlockingRuleset[]> {
  const byRuleset = await blockingRuleTypes(client, where);
  const rulesets: BlockingRuleset[] = [];
  for (const [id, ruleTypes] of byRuleset) {
    const { data } = await client.request('GET /repos/{owner}/{repo}/rulesets/{ruleset_id}', {
      owner: where.owner,
      repo: where.repo,
      ruleset_id: id,
    });
    const json = data as RulesetAnswer | null;
    const ruleset: RulesetAnswer = json && typeof json === 'object' ? json : {};
    rulesets.push({
      id,
      name: typeof ruleset.name === 'string' ? ruleset.name : `#${id}`,
      source: typeof ruleset.source === 'string' ? ruleset.source : `${where.owner}/${where.repo}`,
      ruleTypes,
      bypass:
        typeof ruleset.current_user_can_bypass === 'string' ? ruleset.current_user_can_bypass : undefined,
    });
  }
  return rulesets;
}
