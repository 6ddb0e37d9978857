/** Patterns the environment schema and the built-in features' config fragments share. */

/** Names of environments, node groups, Fargate profiles and NodePools: 2-32 lowercase letters, digits or dashes, starting with a letter. */
export const NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
