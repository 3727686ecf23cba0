/**
 * A rough estimate of how quickly an item's password falls to guessing, for the health report
 * (password-health.ts). It works on the device, offline, from the password alone: common
 * passwords (also with l33t spellings and a number or symbol tacked on), common words,
 * repeated characters, runs such as "abcd" or "6789" and keyboard rows cost an attacker almost
 * nothing; every other character costs what its kind of character allows. The result is on the
 * 0–4 scale zxcvbn uses, so a fuller estimator (zxcvbn-ts, once it is in core) can replace this
 * one behind the same function. It never claims more than the estimate supports: "strong"
 * means no weakness it knows of was found, not that the password cannot be guessed.
 */

export type StrengthScore = 0 | 1 | 2 | 3 | 4;

/** Why a password is weak, for words shown to people: a known password, too few characters, predictable parts (words, repeats, runs), or too few kinds of character for its length. */
export type WeakReason = 'common' | 'short' | 'predictable' | 'simple';

export interface PasswordStrengthEstimate {
  readonly score: StrengthScore;
  /** log2 of the estimated number of guesses an attacker needs. */
  readonly guessesLog2: number;
  /** Set when `score` is below `STRONG_ENOUGH_SCORE`. */
  readonly reason?: WeakReason;
}

/** Scores below this are reported as weak (zxcvbn's 3: "safely unguessable" for online attacks and slow hashes). */
export const STRONG_ENOUGH_SCORE = 3;

/** Below this many characters a password is called short, whatever it is made of. */
export const SHORT_PASSWORD_LENGTH = 8;

// log2 of guesses at which each score begins: 1, 2, 3, 4. Brute force over the character kinds
// overstates what people's choices cost, so the steps sit above zxcvbn's 1e3 / 1e6 / 1e8 / 1e10.
const SCORE_STEPS = [20, 30, 40, 60] as const;

/** Passwords at the top of every leaked list (lowercase; compared after l33t and the digits or symbols around them are undone). */
const COMMON_PASSWORDS = new Set(
  (
    'password passwort passw0rd pass qwerty qwertz azerty letmein welcome admin administrator login iloveyou monkey dragon master ' +
    'sunshine princess football baseball shadow superman trustno starwars whatever freedom secret abc abcd abcdef default changeme ' +
    'access hello charlie michael jordan hunter ninja mustang batman computer internet google summer winter spring autumn flower ' +
    'soccer hockey killer pepper ginger cheese cookie chocolate banana orange apple test guest root user latchkey asdf asdfgh zxcvbn ' +
    'qazwsx lovely love baby angel jesus god matrix solo zaq'
  ).split(' '),
);

/** Words people build passwords from (lowercase, four letters or more), longest first; one counts as a handful of guesses, not as its letters. */
const COMMON_WORDS = [
  ...new Set([
    ...COMMON_PASSWORDS,
    ...(
      'blue green black white happy lucky money heart music house family friend forever dream tiger eagle lion bear wolf horse kitty ' +
      'puppy star moon world magic power super secure company office work home school mother father sister brother daddy mommy ' +
      'january february march april june july august september october november december monday friday sunday london paris berlin ' +
      'thomas daniel david james robert jennifer jessica ashley andrew joshua anna maria peter alex chris john mike sarah laura emma ' +
      'olivia sophie lisa mark paul george'
    ).split(' '),
  ]),
]
  .filter((w) => w.length >= 4)
  .sort((a, b) => b.length - a.length);

const WORD_GUESSES_LOG2 = 10; // a word from a list of some thousand
const YEAR_GUESSES_LOG2 = 8; // 1900 to 2099, the years people put in passwords
const PATTERN_STEP_LOG2 = 1; // a repeat or the next character of a run: the attacker only tries "same" or "next"
const KEYBOARD_ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm', '1234567890', 'qwertzuiop', 'azertyuiop'];
const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' };

const trimNonLetters = (text: string) => text.replace(/^[^a-z]+|[^a-z]+$/g, '');

/** The password as it reads with the digits and symbols around it cut off and without l33t spellings ("P@ssw0rd!" is "password"). */
function withoutDecoration(lower: string): string {
  return trimNonLetters([...trimNonLetters(lower)].map((c) => LEET[c] ?? c).join(''));
}

function isCommon(password: string): boolean {
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower) || /^(\d)\1*$|^0?123456?7?8?9?0?$/.test(lower)) return true;
  const stripped = trimNonLetters(lower);
  return stripped.length >= 3 && (COMMON_PASSWORDS.has(stripped) || COMMON_PASSWORDS.has(withoutDecoration(lower)));
}

/** How many characters an attacker must consider per position, from the kinds present. */
function alphabetSize(password: string): number {
  let size = 0;
  if (/[a-z]/.test(password)) size += 26;
  if (/[A-Z]/.test(password)) size += 26;
  if (/[0-9]/.test(password)) size += 10;
  if (/[\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]/.test(password)) size += 33;
  if (/[^\x20-\x7e]/.test(password)) size += 100;
  return Math.max(size, 10);
}

/** True when `b` follows `a` in a run: next or previous letter or digit, or the next key on a keyboard row. */
function follows(a: string, b: string): boolean {
  const step = b.charCodeAt(0) - a.charCodeAt(0);
  if ((step === 1 || step === -1) && /[a-z0-9]/.test(a) && /[a-z0-9]/.test(b)) return true;
  return KEYBOARD_ROWS.some((row) => {
    const i = row.indexOf(a);
    return i >= 0 && (row[i + 1] === b || (i > 0 && row[i - 1] === b));
  });
}

/** Marks the characters covered by years (19xx, 20xx) and returns what they cost an attacker. */
function markYears(lower: string, covered: boolean[]): number {
  let cost = 0;
  for (const match of lower.matchAll(/(?:19|20)\d\d/g)) {
    covered.fill(true, match.index, match.index + 4);
    cost += YEAR_GUESSES_LOG2;
  }
  return cost;
}

/** Marks the characters covered by common words (longest first); returns the number of words found. */
function markWords(lower: string, covered: boolean[]): number {
  let words = 0;
  // One character for one character, so positions in `normalised` are positions in `lower`.
  const normalised = lower.replace(/./gsu, (c) => (c.length === 1 ? (LEET[c] ?? c) : c));
  for (const word of COMMON_WORDS) {
    let from = normalised.indexOf(word);
    while (from >= 0) {
      if (!covered.slice(from, from + word.length).some(Boolean)) {
        covered.fill(true, from, from + word.length);
        words++;
      }
      from = normalised.indexOf(word, from + 1);
    }
  }
  return words;
}

function scoreOf(guessesLog2: number): StrengthScore {
  const score = SCORE_STEPS.filter((step) => guessesLog2 >= step).length;
  return score as StrengthScore;
}

/** Estimates the guessing effort for `password` (any text; an empty one is score 0). */
export function estimatePasswordStrength(password: string): PasswordStrengthEstimate {
  const chars = [...password];
  if (chars.length === 0) return { score: 0, guessesLog2: 0, reason: 'short' };
  if (isCommon(password)) return { score: 0, guessesLog2: 4, reason: 'common' };

  const lower = password.toLowerCase();
  // UTF-16 units, as `indexOf` counts them in markWords (a character outside the BMP counts twice: a little generous).
  const lowerChars = lower.split('');
  const covered = new Array<boolean>(lowerChars.length).fill(false);
  const years = markYears(lower, covered);
  const words = markWords(lower, covered);
  const perChar = Math.log2(alphabetSize(password));
  let guessesLog2 = years + words * WORD_GUESSES_LOG2;
  // Capitals anywhere but the first letter give a little more.
  if (/[A-Z]/.test(password.slice(1))) guessesLog2 += 1;
  let predictable = words > 0 || years > 0;
  for (let i = 0; i < lowerChars.length; i++) {
    if (covered[i]) continue;
    const previous = lowerChars[i - 1];
    if (previous !== undefined && !covered[i - 1] && (previous === lowerChars[i] || follows(previous, lowerChars[i]!))) {
      guessesLog2 += PATTERN_STEP_LOG2;
      predictable = true;
    } else {
      guessesLog2 += perChar;
    }
  }
  guessesLog2 = Math.round(guessesLog2 * 10) / 10;
  const score = chars.length < SHORT_PASSWORD_LENGTH ? (Math.min(scoreOf(guessesLog2), 2) as StrengthScore) : scoreOf(guessesLog2);
  if (score >= STRONG_ENOUGH_SCORE) return { score, guessesLog2 };
  return { score, guessesLog2, reason: chars.length < SHORT_PASSWORD_LENGTH ? 'short' : predictable ? 'predictable' : 'simple' };
}

/** Each reason in words, to follow "Weak: " (the CLI and the web app say the same). */
export const WEAK_REASON_WORDS: Record<WeakReason, string> = {
  common: 'one of the most common passwords',
  short: `fewer than ${SHORT_PASSWORD_LENGTH} characters`,
  predictable: 'made of predictable parts (words, years, repeats or runs)',
  simple: 'too few kinds of character for its length',
};
