import { isAllowed } from '../../domain/deployment-request';

/** Lists a user group's members (usergroups.users.list); a Slack failure counts as no members. */
export type GroupMembers = (groupId: string) => Promise<readonly string[]>;

const GROUP_CACHE_MS = 60_000;

/**
 * Whether a user is one of `principals` (user IDs, or user groups `S…` they belong to). Group
 * memberships are read from Slack when a group is listed, and kept for a minute.
 */
export function createAccessCheck(members: GroupMembers, now: () => number = Date.now) {
  const cache = new Map<string, { at: number; users: readonly string[] }>();
  const groupMembers = async (group: string): Promise<readonly string[]> => {
    const cached = cache.get(group);
    if (cached && now() - cached.at < GROUP_CACHE_MS) return cached.users;
    let users: readonly string[] = [];
    try {
      users = await members(group);
    } catch {
      // Not readable (missing usergroups:read, Slack down): nobody is let in through this group.
      users = [];
    }
    cache.set(group, { at: now(), users });
    return users;
  };
  return async (principals: readonly string[], userId: string): Promise<boolean> => {
    if (isAllowed(principals, userId)) return true;
    for (const group of principals.filter((p) => p.startsWith('S')))
      if ((await groupMembers(group)).includes(userId)) return true;
    return false;
  };
}

export type AccessCheck = ReturnType<typeof createAccessCheck>;
