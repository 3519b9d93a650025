// Getting an agent's attention while the console tab is hidden: a desktop
// notification (after the agent allowed it) and a short chime.

export interface Notifier {
  /** Asks for permission; must run from a click. */
  enable(): Promise<void>;
  state(): NotificationPermission | 'unsupported';
  /** Notifies only while the tab is hidden. */
  alert(title: string, body: string, tag: string): void;
}

export function createNotifier(onClick: (tag: string) => void): Notifier {
  let audio: AudioContext | null = null;
  // Browsers allow sound only after a gesture: create the context on the first one.
  const unlock = () => {
    audio ??= new AudioContext();
    void audio.resume().catch(() => {});
  };
  window.addEventListener('pointerdown', unlock, { once: true });
  window.addEventListener('keydown', unlock, { once: true });

  function chime() {
    if (!audio || audio.state !== 'running') return;
    const now = audio.currentTime;
    for (const [i, freq] of [880, 1320].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + i * 0.12);
      gain.gain.exponentialRampToValueAtTime(0.12, now + i * 0.12 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.12 + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + i * 0.12);
      osc.stop(now + i * 0.12 + 0.3);
    }
  }

  return {
    async enable() {
      unlock();
      if ('Notification' in window && Notification.permission === 'default') await Notification.requestPermission();
    },
    state: () => ('Notification' in window ? Notification.permission : 'unsupported'),
    alert(title, body, tag) {
      if (document.visibilityState !== 'hidden') return;
      chime();
      if (!('Notification' in window) || Notification.permission !== 'granted') return;
      const n = new Notification(title, { body: body.length > 140 ? `${body.slice(0, 139)}…` : body, tag });
      n.onclick = () => {
        window.focus();
        onClick(tag);
        n.close();
      };
    },
  };
}
