import { askEarly } from './api';
import './styles.css';

// Who the user is and their municipalities are asked for first; the dashboard's code (./boot)
// loads and runs meanwhile, and finds the answers there or on their way (ADR 0080).
askEarly();
void import('./boot');
