/**
 * A labelled ticket corpus for bench:classify, generated: the seeds hold no real tickets, only
 * category names (seed 003) and a few patterns (seed 004). Each category has its own openings,
 * problems, objects and details, written by hand to read like support mail; a ticket draws one
 * of each with a seeded random generator, plus shared filler (greetings, urgency, product
 * names, sign-offs) that every category uses, and a share of tickets borrows a sentence from
 * another category, so words overlap across categories as in real queues. Many phrasings are
 * deliberately NOT in the keyword lists (src/domain/classify/category-keywords.ts), because real
 * tickets do not restrict themselves to a list; the keyword baseline is measured on the same
 * tickets all the same.
 */

export interface CorpusTicket {
  subject: string;
  description: string;
  category: string;
}

/** mulberry32: small, seeded, the same sequence on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Material {
  subjects: string[];
  problems: string[];
  details: string[];
}

const M: Record<string, Material> = {
  billing: {
    subjects: ['Charged twice this month', 'Question about our invoice', 'Wrong amount on the bill', 'Refund for cancelled seats', 'Update the card on file', 'VAT number missing on invoice', 'Why did our price go up?', 'Payment failed again'],
    problems: [
      'we were billed for 40 seats although we only have 25 users',
      'the November invoice shows a charge we do not recognise',
      'our card was declined but the bank says nothing was blocked',
      'we downgraded last week but the renewal still used the old plan',
      'our finance team needs a copy of the receipts for the last quarter',
      'the amount taken from our account is higher than the quote',
      'we paid by bank transfer and the account still says overdue',
      'we want to switch from monthly to yearly and keep the discount',
    ],
    details: ['Our accounts payable contact is in copy.', 'The reference on the statement is PX-2231.', 'Please send a corrected document.', 'Can you credit the difference to the next cycle?', 'Purchase order number is attached.'],
  },
  account: {
    subjects: ['Cannot sign in', 'Locked out of my account', 'Reset link never arrives', 'Change the owner of our workspace', 'Two-factor code not accepted', 'Remove a former employee', 'Username already taken', 'Email change does not stick'],
    problems: [
      'the reset email never arrives, I checked spam',
      'after entering the code from my authenticator app it says invalid',
      'my colleague left the company and we need to transfer her workspace to me',
      'I changed my email address but the old one still appears on my profile',
      'the page keeps sending me back to the sign-in screen',
      'after three attempts my account got locked and I cannot unlock it',
      'I want to add a second admin to our organisation',
      'the invitation link for a new team member has expired',
    ],
    details: ['I use Chrome on a Mac.', 'This is blocking me from doing my work.', 'My user id is u-88213.', 'We use single sign-on through our company directory.', 'I tried an incognito window too.'],
  },
  security: {
    subjects: ['Suspicious login from another country', 'Possible vulnerability report', 'Phishing email pretending to be you', 'Someone accessed our data', 'Request for your pen test report', 'API token exposed publicly', 'Unknown device in session list'],
    problems: [
      'we see sign-ins from an IP address in a country where we have nobody',
      'a researcher found that the share links can be guessed',
      'our staff received mail asking them to confirm their credentials on a look-alike domain',
      'one of our tokens was committed to a public repository by mistake',
      'an account that should be disabled was used yesterday night',
      'our auditors ask for your latest penetration test and SOC 2 report',
      'the audit log shows exports we did not make',
    ],
    details: ['We rotated the password already.', 'Please treat this confidentially.', 'Our CISO wants an answer today.', 'The IP was 203.0.113.7.', 'We need to know whether other tenants are affected.'],
  },
  performance: {
    subjects: ['Dashboard very slow today', 'Pages take ages to load', 'Search is sluggish', 'Requests timing out', 'Reports take minutes', 'Everything lags in the afternoon'],
    problems: [
      'loading the dashboard takes over thirty seconds since Monday',
      'the search results take a long time to appear, sometimes a minute',
      'API calls that used to return in 200 ms now take several seconds',
      'generating the monthly report spins for ages and then gives up',
      'the board freezes for a few seconds whenever I drag a card',
      'at peak hours the whole application crawls',
    ],
    details: ['Our network is fine, other sites are fast.', 'We have about 80 concurrent users.', 'It started after your last release.', 'A HAR file is attached.', 'It is worse from our Singapore office.'],
  },
  integration: {
    subjects: ['Salesforce sync stopped', 'Webhook not firing', 'Slack notifications missing', 'Jira link broken', 'Zapier zap fails', 'Connecting our CRM', 'HoneyBook sync problems'],
    problems: [
      'new contacts no longer appear in Salesforce since yesterday',
      'our endpoint receives no callbacks although events happen',
      'the channel used to get a message for every new ticket and now gets nothing',
      'issues created from Pacer do not link back any more',
      'the zap fails with an authorization error on the second step',
      'we want to connect our CRM but the authorization screen loops',
      'the two-way sync creates duplicates on the other side',
    ],
    details: ['We re-authorised the app already.', 'The connector shows as active.', 'Our endpoint answers 200 to a manual test.', 'Nothing changed on our side.', 'The client id ends in 4f2.'],
  },
  data: {
    subjects: ['Export is missing rows', 'CSV import fails', 'Records disappeared', 'Need a full backup', 'Numbers in report do not add up', 'Delete our data (GDPR)', 'Duplicate entries after import'],
    problems: [
      'the exported file has 900 lines but we have over 1,200 customers',
      'uploading the spreadsheet stops at row 51 without saying why',
      'several projects we created last week are gone',
      'we need a complete copy of our account before the contract ends',
      'the totals in the summary differ from the detail view',
      'a former customer asked us to erase everything about them',
      'after importing, every contact appears twice',
    ],
    details: ['The file is UTF-8 with semicolons.', 'We need this for an audit.', 'Can you restore from last Friday?', 'Sample rows are attached.', 'Our legal team is asking.'],
  },
  bug_report: {
    subjects: ['Button does nothing', 'App crashes on save', 'Wrong date shown', 'Error when uploading a file', 'Layout broken on mobile', 'Filter gives wrong results', 'Regression after update'],
    problems: [
      'clicking save shows a red banner saying something went wrong',
      'the mobile app closes itself when I open a comment',
      'dates appear one day off for users in Australia',
      'attachments larger than 5 MB fail with an unexpected error',
      'the sidebar overlaps the text on small screens',
      'filtering by status shows tickets that have another status',
      'since the update the drop-down is empty',
    ],
    details: ['Steps to reproduce are below.', 'It happens every time.', 'A screenshot is attached.', 'The console shows a TypeError.', 'Version 4.12.1 on Android 14.'],
  },
  feature_request: {
    subjects: ['Idea: dark mode', 'Could you add bulk editing?', 'Request: custom fields', 'Suggestion for the calendar view', 'Any plans for an offline mode?', 'We would love a German interface'],
    problems: [
      'it would help us a lot if we could edit many records at once',
      'we would love to add our own fields to each customer',
      'a weekly view of the calendar would save our planners time',
      'are there plans to let the app work without a connection?',
      'our team keeps asking for a dark theme',
      'it would be great to schedule reports by email',
    ],
    details: ['Happy to join a beta.', 'Competitors have this already.', 'Is this on your roadmap?', 'We could pay extra for it.', 'Vote from the whole team.'],
  },
  technical: {
    subjects: ['Service down for us', 'Cannot reach the server', 'SSL certificate warning', 'Custom domain not working', 'Installation of the agent fails', 'DNS setup question'],
    problems: [
      'since 9:00 the site answers with a 502 for all our users',
      'browsers warn that the certificate of our custom domain is invalid',
      'the on-premise agent stops during setup with exit code 3',
      'we pointed the CNAME as documented but the domain does not resolve',
      'our reverse proxy cannot connect to your endpoint on port 443',
      'the database connection from the self-hosted version keeps dropping',
    ],
    details: ['We followed the setup guide.', 'Logs are attached.', 'Our firewall allows outbound traffic.', 'It worked last week.', 'The host runs Ubuntu 22.04.'],
  },
  general: {
    subjects: ['Quick question', 'Where can I find the user guide?', 'Do you offer training?', 'Demo for our new team', 'Opening hours of support', 'Partnership inquiry'],
    problems: [
      'we are new and would like to know where to start',
      'is there a guide for new users in PDF?',
      'do you offer onboarding sessions for a team of ten?',
      'what are your support hours for customers in Europe?',
      'we would like to talk about reselling your product',
      'can someone walk our managers through the product?',
    ],
    details: ['Thanks in advance.', 'No rush.', 'We are based in Lisbon.', 'A call next week would suit us.', 'Looking forward to hearing from you.'],
  },
};

const GREETINGS = ['Hi,', 'Hello team,', 'Good morning,', 'Dear support,', '', 'Hey there,'];
const URGENCY = ['', '', 'This is urgent.', 'Not urgent, but annoying.', 'We have a demo tomorrow.', 'Our customers are complaining.'];
const PRODUCTS = ['', 'in the web app', 'in the mobile app', 'for our EU workspace', 'on the Pro plan', 'for the Acme account'];
const SIGNOFFS = ['Thanks, Maria', 'Best regards, Tom', 'Cheers', '', 'Kind regards, the ops team', 'Thank you!'];

export const CORPUS_CATEGORIES = Object.keys(M);

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

/**
 * Which phrasings a ticket may use: every fourth subject and problem sentence of each category
 * is kept for the held-back tickets ('unseen'), so the test asks the model about sentences it
 * never trained on, not about reshuffled copies of its training tickets; 'all' uses everything.
 */
export type Phrasing = 'seen' | 'unseen' | 'all';

function part<T>(list: readonly T[], phrasing: Phrasing): T[] {
  if (phrasing === 'all') return [...list];
  return list.filter((_, i) => (i % 4 === 3) === (phrasing === 'unseen'));
}

/** `perCategory` tickets for each category (so the held-back part can be stratified evenly). */
export function generateCorpus(seed: number, perCategory: number, phrasing: Phrasing = 'all'): CorpusTicket[] {
  const r = seededRandom(seed);
  const out: CorpusTicket[] = [];
  for (const category of CORPUS_CATEGORIES) {
    const all = M[category]!;
    const m: Material = { subjects: part(all.subjects, phrasing), problems: part(all.problems, phrasing), details: all.details };
    for (let i = 0; i < perCategory; i++) {
      const parts = [pick(r, GREETINGS), `${cap(pick(r, m.problems))} ${pick(r, PRODUCTS)}.`.replace(' .', '.'), pick(r, m.details), pick(r, URGENCY)];
      // A quarter of tickets mention something from another category in passing.
      if (r() < 0.25) {
        const other = M[pick(r, CORPUS_CATEGORIES.filter((c) => c !== category))]!;
        parts.push(`Also, unrelated: ${pick(r, other.problems)}.`);
      }
      parts.push(pick(r, SIGNOFFS));
      // Some tickets have only a subject (mail with an empty body, a chat's first line).
      const description = r() < 0.1 ? '' : parts.filter(Boolean).join(' ');
      out.push({ subject: r() < 0.5 ? pick(r, m.subjects) : cap(pick(r, m.problems)), description, category });
    }
  }
  return out;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
