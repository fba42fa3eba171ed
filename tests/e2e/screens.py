"""The screens of the walk (issue 18) the browser tests look at the pages on."""
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}  # with touch and two device pixels a CSS pixel: the `phone` fixture
