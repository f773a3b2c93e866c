/**
 * What every harness page script starts with: the query, the VS Code theme it names applied
 * (theme=dark|light|hc, default dark), and the lists a test reads back: every message the panel
 * posted, and every CSP violation the page saw.
 */
import { applyTheme, type ThemeName } from './themes';

export interface HarnessPage {
  readonly q: URLSearchParams;
  readonly theme: ThemeName;
  /** Every message the webview posted, in order. */
  readonly posted: unknown[];
  /** CSP violations seen by the page. */
  readonly violations: string[];
}

export function startHarnessPage(): HarnessPage {
  const q = new URLSearchParams(location.search);
  const themeParam = q.get('theme');
  const theme: ThemeName = themeParam === 'light' || themeParam === 'hc' ? themeParam : 'dark';
  applyTheme(theme);
  const violations: string[] = [];
  document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective}: ${e.blockedURI} ${e.sample}`));
  return { q, theme, posted: [], violations };
}
