/**
 * Image references as Docker and distribution spell them: `[domain/]path[:tag]`. Only what a
 * release needs: validate the user's image name (no tag, no digest), find its registry, and build
 * `<image>:<tag>` references.
 */

// path-component: lowercase alphanumerics joined by one `.`, one or two `_`, or any run of `-`.
const PATH_COMPONENT = '[a-z0-9]+(?:(?:\\.|_{1,2}|-+)[a-z0-9]+)*';
const DOMAIN_LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?`;
const PATH = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const DOMAIN_ONLY = new RegExp(`^${DOMAIN}$`);
const MAX_NAME_LENGTH = 255;

/** Docker Hub: the name users write, and the host that serves its registry API. */
export const DOCKER_HUB = 'docker.io';
export const DOCKER_HUB_API = 'registry-1.docker.io';

export interface ImageName {
  /** As the user wrote it (what `docker build -t` and `docker push` get). */
  name: string;
  /** Registry as written (`registry.example.com:5000`), or `docker.io` for a Docker Hub name. */
  registry: string;
  /** Host the registry API answers on (`registry-1.docker.io` for Docker Hub). */
  apiHost: string;
  /** Repository inside the registry (`org/app`; `library/redis` for an official Hub image). */
  repository: string;
}

export type ParsedImage = { ok: true; image: ImageName } | { ok: false; problem: string };

/** Whether the first `/`-separated part of a name is a registry host (the rule the docker CLI uses). */
function looksLikeDomain(first: string): boolean {
  return first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase();
}

/**
 * Parses an image name without tag or digest. Problems are worded for an error message: what is
 * wrong, in terms of the grammar.
 */
export function parseImageName(name: string): ParsedImage {
  if (name.length === 0) return { ok: false, problem: 'it is empty' };
  if (name.startsWith('-')) return { ok: false, problem: 'it starts with "-"' };
  if (name.includes('@'))
    return { ok: false, problem: 'it holds a digest (`@sha256:…`); give the name alone' };
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const hasDomain = slash !== -1 && looksLikeDomain(first);
  const domain = hasDomain ? first : DOCKER_HUB;
  const path = hasDomain ? name.slice(slash + 1) : name;
  if (/:[^/]*$/.test(path))
    return { ok: false, problem: 'it holds a tag; give the name alone, the release adds the tags' };
  if (hasDomain && !DOMAIN_ONLY.test(domain))
    return { ok: false, problem: `\`${domain}\` is not a valid registry host` };
  if (!PATH.test(path)) {
    return {
      ok: false,
      problem: `\`${path}\` is not a valid repository path (lowercase letters and digits, separated by ".", "_", "__" or "-", in "/"-separated parts)`,
    };
  }
  if (name.length > MAX_NAME_LENGTH)
    return { ok: false, problem: `it is longer than ${MAX_NAME_LENGTH} characters` };
  const hub = domain === DOCKER_HUB || domain === 'index.docker.io';
  return {
    ok: true,
    image: {
      name,
      registry: hub ? DOCKER_HUB : domain,
      apiHost: hub ? DOCKER_HUB_API : domain,
      repository: hub && !path.includes('/') ? `library/${path}` : path,
    },
  };
}

/** Loopback registries (127.0.0.0/8, localhost, [::1]) answer plain HTTP by the Docker daemon's default. */
export function isLoopbackHost(host: string): boolean {
  const hostname = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return hostname === 'localhost' || hostname === '::1' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

export const imageRef = (image: ImageName, tag: string): string => `${image.name}:${tag}`;

/**
 * Where a person (or semantic-release's list of releases) finds a pushed reference: Docker Hub's
 * page for a Hub repository, else the registry API's manifest URL of the tag.
 */
export function registryPageUrl(
  target: { host: string; repository: string; insecure: boolean },
  tag: string,
): string {
  if (target.host === DOCKER_HUB || target.host === DOCKER_HUB_API) {
    const official = target.repository.startsWith('library/');
    const path = official ? `_/${target.repository.slice('library/'.length)}` : `r/${target.repository}`;
    return `https://hub.docker.com/${path}/tags?name=${encodeURIComponent(tag)}`;
  }
  const scheme = target.insecure ? 'http' : 'https';
  return `${scheme}://${target.host}/v2/${target.repository}/manifests/${encodeURIComponent(tag)}`;
}
