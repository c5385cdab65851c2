/** The PUX method on the client: the perspectives and their guiding questions, the solution
 * statuses and the changes between them (the wire types are in api.js). */

/** @typedef {import('./api.js').Perspective} Perspective */
/** @typedef {import('./api.js').SolutionStatus} SolutionStatus */

export const PERSPECTIVES = /** @type {const} */ (['P', 'U', 'X']);

/** Each perspective's name and guiding questions (PRODUCT.md §1: the tool's own Danish wording). */
export const GUIDES = {
  P: { name: 'perspective.P', questions: ['guide.P.q1', 'guide.P.q2'], hint: null },
  U: { name: 'perspective.U', questions: ['guide.U.q1', 'guide.U.q2', 'guide.U.q3'], hint: null },
  X: { name: 'perspective.X', questions: ['guide.X.q1'], hint: 'guide.X.hint' },
};

export const STATUS_LABELS = {
  proposed: 'status.proposed',
  trial: 'status.trial',
  adopted: 'status.adopted',
  dropped: 'status.dropped',
};

/** The status changes the server allows (backend/solutions/service.py TRANSITIONS), as actions.
 * Dropping is the one a tap could regret (it leaves Today's reminders): the screen offers an undo. */
export const STATUS_ACTIONS = {
  proposed: [
    { to: 'trial', label: 'solutions.action.trial' },
    { to: 'dropped', label: 'solutions.action.drop' },
  ],
  trial: [
    { to: 'adopted', label: 'solutions.action.adopt' },
    { to: 'proposed', label: 'solutions.action.shelve' },
    { to: 'dropped', label: 'solutions.action.drop' },
  ],
  adopted: [{ to: 'dropped', label: 'solutions.action.drop' }],
  dropped: [{ to: 'proposed', label: 'solutions.action.revive' }],
};
