import { Link } from 'wouter';

export function NotFoundPage() {
  return (
    <div className="state" data-page="not-found" data-loaded="true">
      <h1>Nothing here</h1>
      <p>
        This address is not a page of the dashboard. <Link href="/">Go to the overview</Link>.
      </p>
    </div>
  );
}
