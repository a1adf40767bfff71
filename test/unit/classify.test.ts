/**
 * The category model trained on known examples, its confidences, the keyword fallback, the
 * tokenizer and language detection on a few languages (src/domain/classify).
 */
import assert from 'node:assert/strict';
import { CategoryModel, type LabelledText } from '../../src/domain/classify/category-model';
import { keywordCategory } from '../../src/domain/classify/category-keywords';
import { tokenize } from '../../src/domain/classify/text-tokens';
import { detectLanguage } from '../../src/domain/classify/language-detection';

const EXAMPLES: LabelledText[] = [
  ...[
    'We were charged twice on the November invoice',
    'Refund the duplicate payment please',
    'Our card was declined at renewal',
    'The invoice amount is wrong, we have 25 seats',
    'Need a receipt for the last payment',
    'Price went up on our renewal invoice',
  ].map((text) => ({ text, category: 'billing' })),
  ...[
    'Cannot sign in, the password reset email never arrives',
    'Locked out of my account after three attempts',
    'Two-factor code not accepted when I sign in',
    'Change the email address of my account',
    'Password reset link expired before I used it',
    'My account shows the wrong name on sign in',
  ].map((text) => ({ text, category: 'account' })),
  ...[
    'Dashboard takes thirty seconds to load',
    'Search is very slow since Monday',
    'Reports take minutes to load',
    'API calls are slow and time out',
    'Pages load slowly at peak hours',
    'The board is slow when dragging cards',
  ].map((text) => ({ text, category: 'performance' })),
];

describe('category classification', () => {
  const model = CategoryModel.train(EXAMPLES, { minExamplesPerCategory: 5 })!;

  it('trains on known examples and predicts their categories with a confidence', () => {
    assert.ok(model, 'a model from 18 examples in 3 categories');
    assert.deepEqual(model.examplesPerCategory, { billing: 6, account: 6, performance: 6 });
    const billing = model.predict('Why were we charged twice? The invoice shows a duplicate payment.')!;
    assert.equal(billing.category, 'billing');
    const account = model.predict('I cannot sign in: the password reset never arrives')!;
    assert.equal(account.category, 'account');
    assert.equal(model.predict('The dashboard is slow to load')!.category, 'performance');
    for (const g of [billing, account]) assert.ok(g.confidence > 0.5 && g.confidence < 1, `confidence ${g.confidence}`);
  });

  it('is less confident when a text mixes two categories than when it is plainly one', () => {
    const plain = model.predict('charged twice on the invoice, refund the payment')!;
    const mixed = model.predict('charged twice on the invoice and I cannot sign in, password reset broken')!;
    assert.ok(mixed.confidence < plain.confidence, `${mixed.confidence} < ${plain.confidence}`);
  });

  it('answers nothing for a text with no known word, and makes no model from too few examples', () => {
    assert.equal(model.predict('zzz qqq'), null);
    assert.equal(CategoryModel.train(EXAMPLES.slice(0, 8), { minExamplesPerCategory: 5 }), null, 'one category with 5+ examples is no classifier');
    const small = CategoryModel.train(EXAMPLES.slice(0, 14), { minExamplesPerCategory: 5 })!;
    assert.deepEqual(Object.keys(small.examplesPerCategory).sort(), ['account', 'billing'], 'a category with 2 examples is left out');
  });

  it('learns a correction by training again', () => {
    const corrected = [...EXAMPLES, ...['Export to CSV is missing rows', 'CSV export has half the rows', 'The export file is empty', 'Export of contacts stops at 500 rows', 'Our CSV export lost columns'].map((text) => ({ text, category: 'data' }))];
    const before = model.predict('The CSV export is missing rows');
    assert.notEqual(before?.category, 'data');
    assert.equal(CategoryModel.train(corrected, { minExamplesPerCategory: 5 })!.predict('The CSV export is missing rows')!.category, 'data');
  });

  it('falls back to keyword lists, unsure with one word and surer with several', () => {
    assert.deepEqual(keywordCategory('Please send the invoice'), { category: 'billing', confidence: 0.5 });
    const many = keywordCategory('Invoice wrong: we were charged twice, please refund the payment')!;
    assert.equal(many.category, 'billing');
    assert.ok(many.confidence >= 0.8, String(many.confidence));
    assert.equal(keywordCategory('Hello there'), null);
    assert.equal(keywordCategory('invoice and password'), null, 'a tie is no answer');
  });

  it('tokenizes accents, case, plurals and stop words away', () => {
    assert.deepEqual(tokenize('Hi, the Invoices were WRONG — facturé twice!'), ['invoice', 'wrong', 'facture', 'twice']);
    assert.deepEqual(tokenize('access address'), ['access', 'address']);
  });
});

describe('language detection', () => {
  it('detects a few languages from a sentence', () => {
    assert.equal(detectLanguage('Hi, I cannot log in to my account since yesterday, please help'), 'en');
    assert.equal(detectLanguage('Bonjour, je ne peux pas me connecter à mon compte depuis hier'), 'fr');
    assert.equal(detectLanguage('Hallo, ich kann mich seit gestern nicht mehr anmelden'), 'de');
    assert.equal(detectLanguage('Hola, no puedo acceder a mi cuenta desde ayer'), 'es');
    assert.equal(detectLanguage('Olá, não consigo acessar minha conta desde ontem'), 'pt');
    assert.equal(detectLanguage('こんにちは、昨日からアカウントにログインできません'), 'ja');
  });

  it('says nothing when unsure: too short, or two languages about as likely', () => {
    assert.equal(detectLanguage('Password reset'), null);
    assert.equal(detectLanguage('Export to CSV fails'), null);
    assert.equal(detectLanguage('12345 !!!'), null);
  });
});
