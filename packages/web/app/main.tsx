import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AppProvider } from './app-context.tsx';
import { App } from './App.tsx';
import { ToastProvider } from './components/Toast.tsx';
import './styles.css';
import './two-step.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppProvider>
      <ToastProvider>
        <App />
      </ToastProvider>
    </AppProvider>
  </StrictMode>,
);
