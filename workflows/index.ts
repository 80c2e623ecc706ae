export { reportWorkflow } from './report-workflow.js';
