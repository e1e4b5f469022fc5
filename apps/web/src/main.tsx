import { askEarly } from './api';
import { askFirstScreenEarly } from './first-screen';
import './styles.css';

// Who the user is and their municipalities are asked for first; the dashboard's code (./boot)
// loads and runs meanwhile, and finds the answers there or on their way (ADR 0080). As soon as
// both are in, the first screen's figures are asked for too (./first-screen, in this part of the
// code: a chunk of its own would wait for the app's code to run first), and the view takes them
// when it asks (ADR 0112).
askEarly();
void askFirstScreenEarly();
void import('./boot');
