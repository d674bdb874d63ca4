/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * Collects console errors, uncaught page errors (CSP violations show up as console errors) and
 * failed subresources. A page answered with a 4xx on purpose (a form with a mistake: 400, a used-up
 * link: 410) makes Chromium log "Failed to load resource" for the document itself; only that is let through.
 */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  const documents = new Set<string>();
  page.on('response', (response) => {
    if (response.request().isNavigationRequest()) documents.add(response.url());
    else if (response.status() >= 400) problems.push(`${response.status()} for ${response.url()}`);
  });
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (message.text().startsWith('Failed to load resource') && documents.has(message.location().url)) return;
    problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return problems;
}

/** Nothing sticks out sideways (no horizontal scrolling on a phone). */
export async function expectNoHorizontalOverflow(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `${page.url()} overflows by ${overflow}px`).toBeLessThanOrEqual(0);
}

/**
 * Every control a thumb aims at is at least 44 px tall (and wide): inputs, buttons and links that
 * stand on their own. Links inside running text are exempt, as WCAG 2.5.8 allows.
 */
export async function expectTapTargets(page: Page): Promise<void> {
  const small = await page.evaluate(() => {
    const controls = Array.from(document.querySelectorAll<HTMLElement>('input:not([type="hidden"]), button, select, textarea'));
    const links = Array.from(document.querySelectorAll<HTMLElement>('a[href]')).filter(
      (link) => link.parentElement?.textContent?.trim() === link.textContent?.trim(),
    );
    return [...controls, ...links]
      // A control not shown (hidden, display: none) is not aimed at; it is checked when it is shown.
      .filter((element) => element.checkVisibility())
      // A checkbox or radio is ticked by tapping its label too: the larger of the two boxes is the target.
      .map((element) => {
        const input = element instanceof HTMLInputElement && (element.type === 'checkbox' || element.type === 'radio') ? element : undefined;
        const label = input?.labels?.[0];
        const own = element.getBoundingClientRect();
        const box = label ? label.getBoundingClientRect() : own;
        return { element, box: box.width * box.height > own.width * own.height ? box : own };
      })
      .filter(({ box }) => box.height < 44 || box.width < 44)
      .map(({ element, box }) => `${element.outerHTML.slice(0, 80)}: ${Math.round(box.width)}x${Math.round(box.height)}`);
  });
  expect(small, `small tap targets on ${page.url()}`).toEqual([]);
}

/** The checks every page of the flow must pass. */
export async function expectUsablePage(page: Page, problems: string[]): Promise<void> {
  await expectNoHorizontalOverflow(page);
  await expectTapTargets(page);
  expect(problems).toEqual([]);
}
