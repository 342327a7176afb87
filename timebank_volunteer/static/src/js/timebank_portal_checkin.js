/** @odoo-module **/
// Check-in / check-out forms of the volunteer portal: add the browser's
// location when the volunteer allows it, submit without it otherwise.

document.addEventListener(
    "submit",
    (ev) => {
        const form = ev.target;
        if (!form.classList || !form.classList.contains("o_timebank_geo")) {
            return;
        }
        if (form.dataset.located || !navigator.geolocation) {
            return;
        }
        ev.preventDefault();
        const send = () => {
            form.dataset.located = "1";
            form.submit();
        };
        navigator.geolocation.getCurrentPosition(
            (position) => {
                form.querySelector("input[name='latitude']").value = position.coords.latitude;
                form.querySelector("input[name='longitude']").value = position.coords.longitude;
                send();
            },
            send,
            { timeout: 5000, maximumAge: 60000 }
        );
    },
    true
);
