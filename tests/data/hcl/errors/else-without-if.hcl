a = "%{else}y"
