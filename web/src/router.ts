// Hash routes (`#/idag`): the app is static files on S3 behind CloudFront, where a path like /idag
// would be a missing object; the hash never reaches the server, and the OIDC callback's query is untouched.
import { useEffect, useState } from 'preact/hooks';

export const ROUTES = ['idag', 'incheckning', 'medlemmar', 'bokningar', 'evenemang', 'rapport', 'tillganglighet', 'kiosk'] as const;
export type Route = (typeof ROUTES)[number];

const current = (): Route => {
  const name = location.hash.replace(/^#\/?/, '');
  return (ROUTES as readonly string[]).includes(name) ? (name as Route) : 'idag';
};

export const href = (route: Route) => `#/${route}`;

/** The route in the address bar; moves focus to the new page's heading on a change (for screen readers and keyboards). */
export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(current);
  useEffect(() => {
    const onChange = () => {
      setRoute(current());
      requestAnimationFrame(() => document.querySelector<HTMLElement>('main h1')?.focus());
    };
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
